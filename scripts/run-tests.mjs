// `npm test`: the whole suite in two stages. The browser suites (test/web-*.test.ts) run after the
// others, not beside them: a Chromium in the next worker took enough CPU to push the sandbox
// suites' measurements of the host (event-loop delay, CPU budgets per event) past their bounds.
// With arguments (`npm test -- test/some.test.ts`) it is plain `vitest run` with them.
//
// Each stage also writes vitest's JSON report, and the last lines printed name every test that
// failed in either stage: a CI log kept only by its tail (the browser stage's) otherwise hid
// which test of the first stage had failed.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const vitest = (args) =>
  spawnSync(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], { stdio: 'inherit' }).status ?? 1;

const args = process.argv.slice(2);
if (args.length > 0) process.exit(vitest(args));

const reports = mkdtempSync(join(tmpdir(), 'switchboard-test-reports-'));
const withReport = (name, stageArgs) =>
  vitest([...stageArgs, '--reporter=default', '--reporter=json', `--outputFile.json=${join(reports, name)}`]);
const rest = withReport('rest.json', ['--exclude', 'test/web-*.test.ts']);
const browser = withReport('browser.json', ['test/web-']);

const lines = [
  ...failures('the suites other than the browser ones', 'rest.json', rest),
  ...failures('the browser suites', 'browser.json', browser),
];
rmSync(reports, { recursive: true, force: true });
if (lines.length > 0) console.log(['', '== npm test: what failed', ...lines].join('\n'));
process.exit(rest || browser);

/** One line per failed file or test of a stage that exited non-zero (or a line saying its report is missing). */
function failures(stage, file, status) {
  if (status === 0) return [];
  let report;
  try {
    report = JSON.parse(readFileSync(join(reports, file), 'utf8'));
  } catch {
    return [`${stage}: exited ${status}, with no report (see the output above)`];
  }
  const out = [];
  for (const result of report.testResults ?? []) {
    const name = String(result.name).replace(`${process.cwd()}/`, '');
    const failed = (result.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failed) out.push(`${stage}: ${name} > ${a.fullName}: ${firstLine(a.failureMessages?.[0])}`);
    if (failed.length === 0 && result.status === 'failed')
      out.push(
        `${stage}: ${name}: ${firstLine(result.message) || 'failed outside its tests (a hook, or the file itself)'}`,
      );
  }
  return out.length > 0 ? out : [`${stage}: exited ${status} (no failed test in its report; see the output above)`];
}

function firstLine(text) {
  const line =
    String(text ?? '')
      .split('\n')
      .find((l) => l.trim() !== '') ?? '';
  return line.length > 300 ? `${line.slice(0, 300)}…` : line;
}
