/**
 * The one check of a plugin manifest, shared by the host (which loads manifests) and the CLI
 * (which validates an app before building it), so that neither accepts what the other refuses.
 *
 * It needs ajv and semver, so it lives outside the SDK's declarations: sdk/index.ts does not
 * export it, and an app's bundle never carries it.
 */
import { Ajv } from 'ajv';
import semver from 'semver';
import manifestSchema from '../plugin/manifest-schema.json' with { type: 'json' };
import { PLUGIN_API_VERSION, type PluginManifest } from '../plugin/manifest.js';
import type { Permission } from '../plugin/permissions.js';
import type { ErrorDetail } from '../errors/switchboard-error.js';
import { DEFAULT_APP_LIMITS, type AppLimits } from '../app/app-limits.js';
import { schemaProblems } from './schema-problems.js';

// verbose: each error carries its field's schema, whose `patternHint` words a failed pattern.
const ajv = new Ajv({ allErrors: true, strict: false, verbose: true });
const validateSchema = ajv.compile<PluginManifest>(manifestSchema);

/** The schema's pattern for plugin ids (definitions.pluginId), also the handle of the plugin's bot. */
export const PLUGIN_ID_PATTERN = new RegExp(manifestSchema.definitions.pluginId.pattern);

/**
 * Which rule a problem breaks. The host answers `engine` alone with plugin_engine_mismatch, and
 * everything else with manifest_invalid.
 */
export type ManifestRule = 'schema' | 'semver' | 'engine' | 'consistency';

export interface ManifestProblem extends ErrorDetail {
  rule: ManifestRule;
}

export interface ManifestCheck {
  /** The manifest, when there are no errors. */
  manifest: PluginManifest | null;
  /** Each makes the manifest unusable; sorted by path. */
  errors: ManifestProblem[];
  /** Worth telling an author, but the manifest loads. */
  warnings: ErrorDetail[];
}

/** Checks a parsed manifest and reports every problem at once, each by JSON path. */
export function checkManifest(raw: unknown): ManifestCheck {
  if (!isObject(raw)) {
    return {
      manifest: null,
      errors: [{ rule: 'schema', path: '/', message: 'the manifest must be a JSON object' }],
      warnings: [],
    };
  }
  const errors: ManifestProblem[] = [];
  const warnings: ErrorDetail[] = [];
  const schemaValid = validateSchema(raw);
  if (!schemaValid)
    errors.push(...schemaProblems(validateSchema.errors ?? []).map((p) => ({ ...p, rule: 'schema' as const })));
  // The rules below run even when the schema failed, on whatever fields have the right type,
  // so a broken manifest gets its whole list of problems at once.
  versionProblems(raw, errors);
  consistencyProblems(raw, errors);
  advice(raw, warnings);
  const sortedErrors = dedupe(errors).sort(byPath);
  return {
    manifest: schemaValid && sortedErrors.length === 0 ? raw : null,
    errors: sortedErrors,
    warnings: dedupe(warnings).sort(byPath),
  };
}

function versionProblems(m: Record<string, unknown>, errors: ManifestProblem[]): void {
  if (typeof m.engine === 'string') {
    if (!semver.validRange(m.engine)) {
      errors.push({ rule: 'semver', path: '/engine', message: `engine "${m.engine}" is not a semver range` });
    } else if (!semver.satisfies(PLUGIN_API_VERSION, m.engine)) {
      errors.push({
        rule: 'engine',
        path: '/engine',
        message: `engine "${m.engine}" does not include ${PLUGIN_API_VERSION}, the plugin API version`,
      });
    }
  }
  if (isObject(m.dependencies)) {
    for (const [dep, range] of Object.entries(m.dependencies)) {
      if (typeof range === 'string' && !semver.validRange(range)) {
        errors.push({ rule: 'semver', path: `/dependencies/${dep}`, message: `"${range}" is not a semver range` });
      }
    }
  }
}

/** Manifests that pass the schema but can never work. */
function consistencyProblems(m: Record<string, unknown>, errors: ManifestProblem[]): void {
  const permissions = isObject(m.permissions) ? m.permissions : {};
  // Only a trusted plugin has tables of its own; a runtime that is missing or wrong is already
  // a schema error, and the manifest cannot be meant as trusted.
  if (m.runtime !== 'trusted' && 'database' in permissions) {
    errors.push({
      rule: 'consistency',
      path: '/permissions/database',
      message: 'database is for trusted plugins only; a sandboxed app keeps its data with the storage permission',
    });
  }
  if (
    isObject(m.dependencies) &&
    typeof m.id === 'string' &&
    Object.prototype.hasOwnProperty.call(m.dependencies, m.id)
  ) {
    errors.push({ rule: 'consistency', path: `/dependencies/${m.id}`, message: 'a plugin cannot depend on itself' });
  }
  const contributes = isObject(m.contributes) ? m.contributes : {};
  if (Array.isArray(contributes.commands)) {
    const names = new Set<string>();
    contributes.commands.forEach((cmd: unknown, i: number) => {
      const name = isObject(cmd) ? cmd.name : undefined;
      if (typeof name !== 'string') return;
      if (names.has(name))
        errors.push({
          rule: 'consistency',
          path: `/contributes/commands/${i}/name`,
          message: `command "${name}" is declared twice`,
        });
      names.add(name);
    });
  }
  const id = m.id;
  if (Array.isArray(contributes.messageTypes) && typeof id === 'string') {
    contributes.messageTypes.forEach((t: unknown, i: number) => {
      const type = isObject(t) ? t.type : undefined;
      if (typeof type === 'string' && !type.startsWith(`${id}.`)) {
        errors.push({
          rule: 'consistency',
          path: `/contributes/messageTypes/${i}/type`,
          message: `type must start with "${id}."`,
        });
      }
    });
  }
}

function advice(m: Record<string, unknown>, warnings: ErrorDetail[]): void {
  const permissions = isObject(m.permissions) ? m.permissions : {};
  const contributes = isObject(m.contributes) ? m.contributes : {};
  // A contribution without its permission loads (the operator may refuse a permission too), but
  // registering its handler throws PermissionDeniedError at start: almost always a forgotten line.
  const needs: [string, Permission][] = [
    ['commands', 'commands'],
    ['hooks', 'hooks'],
    ['routes', 'http.routes'],
    ['events', 'events'],
  ];
  for (const [field, permission] of needs) {
    const declared = contributes[field];
    if (Array.isArray(declared) && declared.length > 0 && !(permission in permissions)) {
      warnings.push({
        path: `/contributes/${field}`,
        message: `declared, but the "${permission}" permission is not requested: registering a handler will throw PermissionDeniedError`,
      });
    }
  }
  // The schema bounds each limit; above the default, the operator's sandbox.maxLimits decides.
  if (isObject(m.limits)) {
    for (const [name, value] of Object.entries(m.limits)) {
      const fallback = DEFAULT_APP_LIMITS[name as keyof AppLimits];
      if (typeof value === 'number' && fallback !== undefined && value > fallback) {
        warnings.push({
          path: `/limits/${name}`,
          message: `${value} is above the default ${fallback}; the operator's sandbox.maxLimits may cap it`,
        });
      }
    }
  }
}

/** Orders problems by JSON path, so a list reads top to bottom through the manifest. */
export function byPath(a: ErrorDetail, b: ErrorDetail): number {
  return a.path < b.path ? -1 : a.path > b.path ? 1 : 0;
}

function dedupe<T extends ErrorDetail>(problems: T[]): T[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\n${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
