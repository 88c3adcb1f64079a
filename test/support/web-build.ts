import { execFile } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUILD_SCRIPT = join(root, 'scripts/build-web.mjs');
export const WEB_DIST = join(root, 'web/dist');

let built: Promise<string> | null = null;

/**
 * Builds web/dist when stale (scripts/build-web.mjs, as `npm run build:web`), once per test
 * process, before a test serves the app. Run as a child on this Node so Vite's memory is not the
 * test worker's; the script's lock keeps workers that ask at the same time from building twice.
 */
export function ensureWebBuilt(): Promise<string> {
  built ??= promisify(execFile)(process.execPath, [BUILD_SCRIPT], { cwd: root, timeout: 180_000 }).then(
    ({ stdout }) => stdout.trim(),
    (err: Error & { stderr?: string }) => {
      built = null;
      throw new Error(`the web client did not build: ${err.stderr || err.message}`, { cause: err });
    },
  );
  return built;
}
