// `npm test`: the whole suite in two stages. The browser suites (test/web-*.test.ts) run after the
// others, not beside them: a Chromium in the next worker took enough CPU to push the sandbox
// suites' measurements of the host (event-loop delay, CPU budgets per event) past their bounds.
// With arguments (`npm test -- test/some.test.ts`) it is plain `vitest run` with them.
import { spawnSync } from 'node:child_process';

const vitest = (args) =>
  spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], { stdio: 'inherit' }).status ?? 1;

const args = process.argv.slice(2);
if (args.length > 0) process.exit(vitest(args));
const rest = vitest(['--exclude', 'test/web-*.test.ts']);
const browser = vitest(['test/web-']);
process.exit(rest || browser);
