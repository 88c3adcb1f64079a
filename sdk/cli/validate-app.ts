/**
 * Checks an app project before anything is built: its manifest.json with the SDK's
 * checkManifest (the same check the host loads manifests with), then the rules of this CLI,
 * which builds sandboxed apps from their files. It reports every problem at once, each by JSON
 * path, so an author fixes them in one pass. Pure: it reads files and prints nothing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { PluginManifest } from '../plugin/manifest.js';
import type { ErrorDetail } from '../errors/switchboard-error.js';
import { byPath, checkManifest } from '../manifest-check/check-manifest.js';
import { CliError } from './cli-error.js';

export const MANIFEST_FILE = 'manifest.json';
/** Where `build` looks when the manifest's entry is not TypeScript (e.g. an already built ./app.js). */
export const DEFAULT_SOURCE = 'src/index.ts';

export interface AppValidation {
  /** Absolute path of the project folder. */
  dir: string;
  manifestFile: string;
  /** The manifest, when there are no errors. */
  manifest: PluginManifest | null;
  /** Absolute path of the entry file named by the manifest (it may not exist), when it names one. */
  entryFile: string | null;
  /** Each makes the app unusable; sorted by path. */
  errors: ErrorDetail[];
  /** Worth knowing, but the app is valid. */
  warnings: ErrorDetail[];
}

export function validateApp(dir: string): AppValidation {
  const root = resolve(dir);
  const manifestFile = join(root, MANIFEST_FILE);
  if (!existsSync(manifestFile)) {
    throw new CliError(`There is no ${MANIFEST_FILE} in ${root}. Create an app with: switchboard new <dir>`);
  }
  const result: AppValidation = { dir: root, manifestFile, manifest: null, entryFile: null, errors: [], warnings: [] };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(manifestFile, 'utf8'));
  } catch (err) {
    result.errors.push({ path: '/', message: `${MANIFEST_FILE} is not valid JSON: ${(err as Error).message}` });
    return result;
  }
  const check = checkManifest(raw);
  // The host would show the rule; an author needs only where and what.
  result.errors = check.errors.map(({ path, message }) => ({ path, message }));
  result.warnings = [...check.warnings];
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw))
    cliProblems(raw as Record<string, unknown>, root, result);
  result.errors.sort(byPath);
  result.warnings.sort(byPath);
  if (check.manifest && result.errors.length === 0) result.manifest = check.manifest;
  return result;
}

/** What this CLI needs beyond a valid manifest: a sandboxed app, and its files. */
function cliProblems(m: Record<string, unknown>, root: string, result: AppValidation): void {
  const { errors, warnings } = result;
  if (m.runtime === 'trusted') {
    errors.push({
      path: '/runtime',
      message:
        'runtime must be "sandbox": this CLI builds sandboxed apps (a trusted plugin runs in the host process and is not bundled)',
    });
  }
  if (typeof m.entry === 'string' && m.entry.length > 0) {
    const entryFile = resolve(root, m.entry);
    result.entryFile = entryFile;
    if (!isFile(entryFile)) {
      if (!m.entry.endsWith('.ts') && isFile(join(root, DEFAULT_SOURCE))) {
        warnings.push({
          path: '/entry',
          message: `${m.entry} does not exist yet; build makes the bundle from ${DEFAULT_SOURCE}`,
        });
      } else {
        errors.push({ path: '/entry', message: `the entry file ${m.entry} does not exist` });
      }
    }
  }
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
