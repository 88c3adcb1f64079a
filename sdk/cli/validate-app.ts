/**
 * Checks an app project before anything is built: its manifest.json against the SDK's schema,
 * then the rules a sandboxed app must also meet. It reports every problem at once, each by JSON
 * path, so an author fixes them in one pass. Pure: it reads files and prints nothing.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import semver from 'semver';
import manifestSchema from '../plugin/manifest-schema.json' with { type: 'json' };
import { PLUGIN_API_VERSION, type PluginManifest } from '../plugin/manifest.js';
import type { Permission } from '../plugin/permissions.js';
import type { ErrorDetail } from '../errors/switchboard-error.js';
import { DEFAULT_APP_LIMITS, type AppLimits } from '../app/app-limits.js';
import { CliError } from './cli-error.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const validateManifest = ajv.compile<PluginManifest>(manifestSchema);

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
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    result.errors.push({ path: '/', message: `${MANIFEST_FILE} must hold a JSON object` });
    return result;
  }
  const schemaValid = validateManifest(raw);
  if (!schemaValid) result.errors.push(...schemaProblems(validateManifest.errors ?? []));
  // The checks below run even when the schema failed, on whatever fields have the right type,
  // so a broken manifest gets its whole list of problems at once.
  sandboxProblems(raw as Record<string, unknown>, root, result);
  result.errors = sortByPath(dedupe(result.errors));
  result.warnings = sortByPath(dedupe(result.warnings));
  if (schemaValid && result.errors.length === 0) result.manifest = raw as PluginManifest;
  return result;
}

function sandboxProblems(m: Record<string, unknown>, root: string, result: AppValidation): void {
  const { errors, warnings } = result;
  if (m.runtime === 'trusted') {
    errors.push({ path: '/runtime', message: 'runtime must be "sandbox": this CLI builds sandboxed apps (a trusted plugin runs in the host process and is not bundled)' });
  }
  const permissions = isObject(m.permissions) ? m.permissions : {};
  if ('database' in permissions) {
    errors.push({ path: '/permissions/database', message: 'database is for trusted plugins only; a sandboxed app keeps its data with the storage permission' });
  }

  if (typeof m.engine === 'string') {
    if (!semver.validRange(m.engine)) {
      errors.push({ path: '/engine', message: `engine "${m.engine}" is not a semver range` });
    } else if (!semver.satisfies(PLUGIN_API_VERSION, m.engine)) {
      errors.push({ path: '/engine', message: `engine "${m.engine}" does not include ${PLUGIN_API_VERSION}, the plugin API this SDK provides` });
    }
  }
  if (isObject(m.dependencies)) {
    for (const [dep, range] of Object.entries(m.dependencies)) {
      if (typeof range === 'string' && !semver.validRange(range)) errors.push({ path: `/dependencies/${dep}`, message: `"${range}" is not a semver range` });
      if (dep === m.id) errors.push({ path: `/dependencies/${dep}`, message: 'an app cannot depend on itself' });
    }
  }

  if (typeof m.entry === 'string' && m.entry.length > 0) {
    const entryFile = resolve(root, m.entry);
    result.entryFile = entryFile;
    if (!isFile(entryFile)) {
      if (!m.entry.endsWith('.ts') && isFile(join(root, DEFAULT_SOURCE))) {
        warnings.push({ path: '/entry', message: `${m.entry} does not exist yet; build makes the bundle from ${DEFAULT_SOURCE}` });
      } else {
        errors.push({ path: '/entry', message: `the entry file ${m.entry} does not exist` });
      }
    }
  }

  // The host refuses these too (host/plugins/manifest-loader.ts, which the SDK may not import).
  const contributes = isObject(m.contributes) ? m.contributes : {};
  if (Array.isArray(contributes.commands)) {
    const names = new Set<string>();
    contributes.commands.forEach((cmd: unknown, i: number) => {
      const name = isObject(cmd) ? cmd.name : undefined;
      if (typeof name !== 'string') return;
      if (names.has(name)) errors.push({ path: `/contributes/commands/${i}/name`, message: `command "${name}" is declared twice` });
      names.add(name);
    });
  }
  if (Array.isArray(contributes.messageTypes) && typeof m.id === 'string') {
    contributes.messageTypes.forEach((t: unknown, i: number) => {
      const type = isObject(t) ? t.type : undefined;
      if (typeof type === 'string' && !type.startsWith(`${m.id}.`)) errors.push({ path: `/contributes/messageTypes/${i}/type`, message: `type must start with "${m.id}."` });
    });
  }

  // A contribution without its permission loads, but registering its handler throws
  // PermissionDeniedError at start: almost always a forgotten line in the manifest.
  const needs: [string, Permission][] = [['commands', 'commands'], ['hooks', 'hooks'], ['routes', 'http.routes'], ['events', 'events']];
  for (const [field, permission] of needs) {
    if (Array.isArray(contributes[field]) && (contributes[field] as unknown[]).length > 0 && !(permission in permissions)) {
      warnings.push({ path: `/contributes/${field}`, message: `declared, but the "${permission}" permission is not requested: registering a handler will throw PermissionDeniedError` });
    }
  }

  // The schema bounds each limit; above the default, the operator's sandbox.maxLimits decides.
  if (isObject(m.limits)) {
    for (const [name, value] of Object.entries(m.limits)) {
      const fallback = DEFAULT_APP_LIMITS[name as keyof AppLimits];
      if (typeof value === 'number' && fallback !== undefined && value > fallback) {
        warnings.push({ path: `/limits/${name}`, message: `${value} is above the default ${fallback}; the operator's sandbox.maxLimits may cap it` });
      }
    }
  }
}

/** One problem per schema error, its message naming the field so each line reads on its own. */
function schemaProblems(errors: readonly ErrorObject[]): ErrorDetail[] {
  // A oneOf failure also reports why each branch failed; the branches only confuse, so the
  // failure is reported once, by the oneOf error itself.
  const oneOfPaths = errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath);
  const problems: ErrorDetail[] = [];
  for (const e of errors) {
    if (e.keyword !== 'oneOf' && oneOfPaths.some((p) => e.instancePath === p || e.instancePath.startsWith(`${p}/`))) continue;
    const field = e.instancePath.split('/').pop() || 'manifest';
    if (e.keyword === 'additionalProperties') {
      const extra = (e.params as { additionalProperty: string }).additionalProperty;
      problems.push({
        path: `${e.instancePath}/${extra}`,
        message: e.instancePath === '/permissions' ? `"${extra}" is not a known permission` : `"${extra}" is not an allowed field`,
      });
    } else if (e.keyword === 'required') {
      const missing = (e.params as { missingProperty: string }).missingProperty;
      problems.push({ path: `${e.instancePath}/${missing}`, message: `${missing} is required` });
    } else if (e.keyword === 'enum') {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ');
      problems.push({ path: e.instancePath || '/', message: `${field} must be one of ${allowed}` });
    } else if (e.keyword === 'oneOf') {
      problems.push({ path: e.instancePath || '/', message: e.instancePath === '/author' ? 'author must be a string (1-128 characters) or { name, email?, url? }' : `${field} matches none of its allowed forms` });
    } else {
      problems.push({ path: e.instancePath || '/', message: `${field} ${e.message ?? 'is invalid'}` });
    }
  }
  return problems;
}

function dedupe(problems: ErrorDetail[]): ErrorDetail[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function sortByPath(problems: ErrorDetail[]): ErrorDetail[] {
  return [...problems].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFile(path: string): boolean {
  return existsSync(path) && statSync(path).isFile();
}
