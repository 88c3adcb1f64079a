/**
 * Benchmark dispatcher: `npm run bench -- NAME [args…]` runs bench/NAME.ts.
 *
 * A benchmark module either exports a default async function (called with the remaining
 * arguments) or does its work when imported. Unknown or missing names list the available
 * benchmarks and exit with status 1.
 */
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const benchDir = dirname(fileURLToPath(import.meta.url));

function availableBenches(): string[] {
  return readdirSync(benchDir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') && e.name !== 'run.ts')
    .map((e) => e.name.slice(0, -'.ts'.length))
    .sort();
}

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const names = availableBenches();
  if (!name || !names.includes(name)) {
    process.stderr.write(
      `${name ? `unknown benchmark "${name}"` : 'no benchmark named'}\n` +
        `usage: npm run bench -- NAME\navailable benchmarks:\n${names.map((n) => `  ${n}`).join('\n')}\n`,
    );
    process.exit(1);
  }
  const mod = (await import(pathToFileURL(`${benchDir}/${name}.ts`).href)) as { default?: unknown };
  if (typeof mod.default === 'function') {
    await (mod.default as (args: string[]) => Promise<void> | void)(rest);
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
