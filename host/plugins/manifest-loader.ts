import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { Ajv } from 'ajv';
import semver from 'semver';
import manifestSchema from '../../sdk/plugin/manifest-schema.json' with { type: 'json' };
import { PLUGIN_API_VERSION, type PluginManifest } from '../../sdk/plugin/manifest.js';
import { SwitchboardError, type ErrorDetail } from '../../sdk/errors/switchboard-error.js';
import type { PluginEntryConfig } from '../config/host-config.js';

const ajv = new Ajv({ allErrors: true, strict: false });
const validateManifest = ajv.compile<PluginManifest>(manifestSchema);

export interface LoadedManifest {
  manifest: PluginManifest;
  /** Absolute path of the manifest file. */
  file: string;
  /** Absolute path of the entry module. */
  entryFile: string;
}

/** The id of a manifest that may be invalid otherwise, so its failure is listed under its own name. */
export function peekManifestId(file: string): string | null {
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as { id?: unknown };
    return typeof raw?.id === 'string' && /^[a-z][a-z0-9-]{2,31}$/.test(raw.id) ? raw.id : null;
  } catch {
    return null;
  }
}

/** Where a configured plugin's manifest lives: <manifestsDir>/<id>.json, or its explicit path. */
export function manifestPathOf(entry: PluginEntryConfig, manifestsDir: string): string {
  return entry.path ? resolve(entry.path) : resolve(manifestsDir, `${entry.id}.json`);
}

/**
 * Reads and checks one manifest: JSON, the SDK's schema (every error, by JSON path), the engine
 * range against this host's plugin API version, and contributions that need a permission.
 * Throws SwitchboardError manifest_invalid or plugin_engine_mismatch.
 */
export function loadManifest(file: string): LoadedManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SwitchboardError('manifest_invalid', `Cannot read manifest ${file}: ${(err as Error).message}`);
  }
  if (!validateManifest(raw)) {
    const details = schemaDetails(validateManifest.errors ?? []);
    throw new SwitchboardError('manifest_invalid', `Manifest ${basename(file)} is invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`, { details });
  }
  const manifest = raw;
  if (!semver.validRange(manifest.engine)) {
    throw new SwitchboardError('manifest_invalid', `engine "${manifest.engine}" is not a semver range.`, { details: [{ path: '/engine', message: 'is not a semver range' }] });
  }
  for (const [dep, range] of Object.entries(manifest.dependencies ?? {})) {
    if (!semver.validRange(range)) {
      throw new SwitchboardError('manifest_invalid', `dependencies.${dep} "${range}" is not a semver range.`, { details: [{ path: `/dependencies/${dep}`, message: 'is not a semver range' }] });
    }
  }
  if (!semver.satisfies(PLUGIN_API_VERSION, manifest.engine)) {
    throw new SwitchboardError('plugin_engine_mismatch',
      `Plugin ${manifest.id} needs plugin API ${manifest.engine}, but this host provides ${PLUGIN_API_VERSION}.`,
      { details: [{ path: '/engine', message: `does not include ${PLUGIN_API_VERSION}` }] });
  }
  const inconsistencies = contributionProblems(manifest);
  if (inconsistencies.length > 0) {
    throw new SwitchboardError('manifest_invalid', `Manifest ${basename(file)} is inconsistent: ${inconsistencies.map((d) => `${d.path} ${d.message}`).join('; ')}`, { details: inconsistencies });
  }
  return { manifest, file, entryFile: resolve(dirname(file), manifest.entry) };
}

/**
 * Contributions that can never work. (A contribution whose permission is missing is not one of
 * them: the plugin starts, and registering it throws PermissionDeniedError naming the permission,
 * exactly as when the operator refuses it.)
 */
function contributionProblems(m: PluginManifest): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const c = m.contributes ?? {};
  c.messageTypes?.forEach((t, i) => {
    if (!t.type.startsWith(`${m.id}.`)) problems.push({ path: `/contributes/messageTypes/${i}/type`, message: `type must start with "${m.id}."` });
  });
  const names = new Set<string>();
  c.commands?.forEach((cmd, i) => {
    if (names.has(cmd.name)) problems.push({ path: `/contributes/commands/${i}/name`, message: `command "${cmd.name}" is declared twice` });
    names.add(cmd.name);
  });
  if (m.runtime === 'sandbox' && m.permissions?.database) {
    problems.push({ path: '/permissions/database', message: 'database is for trusted plugins only; a sandboxed app keeps its data with the storage permission' });
  }
  if (m.dependencies && Object.prototype.hasOwnProperty.call(m.dependencies, m.id)) {
    problems.push({ path: `/dependencies/${m.id}`, message: 'a plugin cannot depend on itself' });
  }
  return problems;
}

/** One detail per problem; each message names its field so it reads on its own. */
function schemaDetails(errors: NonNullable<typeof validateManifest.errors>): ErrorDetail[] {
  const seen = new Set<string>();
  const details: ErrorDetail[] = [];
  for (const e of errors) {
    let path = e.instancePath || '/';
    let message: string;
    if (e.keyword === 'additionalProperties') {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      path = `${e.instancePath}/${field}`;
      message = e.instancePath === '/permissions' ? `"${field}" is not a known permission` : `"${field}" is not an allowed field`;
    } else if (e.keyword === 'required') {
      const field = (e.params as { missingProperty: string }).missingProperty;
      path = `${e.instancePath}/${field}`;
      message = `${field} is required`;
    } else {
      const field = e.instancePath.split('/').pop() || 'manifest';
      message = `${field} ${e.message ?? 'is invalid'}`;
    }
    const key = `${path} ${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      details.push({ path, message });
    }
  }
  return details;
}
