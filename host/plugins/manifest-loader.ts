import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { PLUGIN_API_VERSION, type PluginManifest } from '../../sdk/plugin/manifest.js';
import { SwitchboardError, type ErrorDetail } from '../../sdk/errors/switchboard-error.js';
import { checkManifest, PLUGIN_ID_PATTERN } from '../../sdk/manifest-check/check-manifest.js';
import type { PluginEntryConfig } from '../config/host-config.js';

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
    return typeof raw?.id === 'string' && PLUGIN_ID_PATTERN.test(raw.id) ? raw.id : null;
  } catch {
    // Unreadable or not JSON: loadManifest reports why; here only a name to list it under is lost.
    return null;
  }
}

/** Where a configured plugin's manifest lives: <manifestsDir>/<id>.json, or its explicit path. */
export function manifestPathOf(entry: PluginEntryConfig, manifestsDir: string): string {
  return entry.path ? resolve(entry.path) : resolve(manifestsDir, `${entry.id}.json`);
}

/**
 * Reads and checks one manifest with the SDK's checkManifest, the check the CLI runs too: JSON,
 * the schema, semver ranges, the engine range against this host's plugin API version, and
 * contributions that can never work. (A contribution whose permission is missing is not one of
 * them: the plugin starts, and registering it throws PermissionDeniedError naming the permission,
 * exactly as when the operator refuses it.) Every problem is a detail, by JSON path.
 * Throws SwitchboardError manifest_invalid, or plugin_engine_mismatch when the engine range is
 * the only problem.
 */
export function loadManifest(file: string): LoadedManifest {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new SwitchboardError('manifest_invalid', `Cannot read manifest ${file}: ${(err as Error).message}`);
  }
  const { manifest, errors } = checkManifest(raw);
  if (manifest) return { manifest, file, entryFile: resolve(dirname(file), manifest.entry) };
  const details: ErrorDetail[] = errors.map(({ path, message }) => ({ path, message }));
  if (errors.every((e) => e.rule === 'engine')) {
    const { id, engine } = raw as PluginManifest;
    throw new SwitchboardError(
      'plugin_engine_mismatch',
      `Plugin ${id} needs plugin API ${engine}, but this host provides ${PLUGIN_API_VERSION}.`,
      { details },
    );
  }
  throw new SwitchboardError(
    'manifest_invalid',
    `Manifest ${basename(file)} is invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
    { details },
  );
}
