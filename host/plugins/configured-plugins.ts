import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { HostConfig } from '../config/host-config.js';
import { dependencyOrder } from './dependency-order.js';
import { computeGrants } from './grants.js';
import { loadManifest, manifestPathOf, peekManifestId } from './manifest-loader.js';
import { newPluginRecord, type PluginRecord } from './plugin-record.js';
import type { PluginRegistry } from './plugin-registry.js';
import type { PluginSettingsValidator } from './plugin-settings-validator.js';

/** The configured plugins that loaded, by id, and the order to start them in (dependencies first). */
export interface ConfiguredPlugins {
  loaded: Map<string, PluginRecord>;
  order: string[];
}

export interface ConfiguredPluginsDeps {
  config: HostConfig['plugins'];
  registry: PluginRegistry;
  settings: PluginSettingsValidator;
  /** Marks a plugin failed, with the error attributed to it. */
  fail: (record: PluginRecord, err: unknown) => void;
}

/**
 * Reads, checks and orders the configured plugins, putting a record for each in the registry; the
 * ones that are wrong (manifest, settings, grants, dependencies) are marked failed with a
 * configuration error.
 */
export function loadConfiguredPlugins({ config, registry, settings, fail }: ConfiguredPluginsDeps): ConfiguredPlugins {
  const loaded = new Map<string, PluginRecord>();
  for (const entry of config.enabled) {
    const file = manifestPathOf(entry, config.manifestsDir);
    let record = newPluginRecord(entry.id ?? file, file);
    try {
      const { manifest, entryFile } = loadManifest(file);
      if (loaded.has(manifest.id) || registry.get(manifest.id)) {
        // The first entry keeps the id; this one is listed under its manifest path.
        throw new SwitchboardError(
          'manifest_invalid',
          `Plugin ${manifest.id} is enabled twice; only the first entry is used.`,
        );
      }
      record = { ...record, id: manifest.id, manifest, entryFile };
      record.settings = settings.validate(manifest, entry.settings ?? {});
      const grants = computeGrants(manifest, entry.grants ?? {});
      record.granted = grants.granted;
      record.refused = grants.refused;
      loaded.set(manifest.id, record);
    } catch (err) {
      record.configError = true;
      const id = record.manifest ? null : peekManifestId(file);
      if (id && !loaded.has(id) && !registry.get(id)) record = { ...record, id };
      fail(record, err);
    }
    registry.set(record);
  }
  const { order, refused } = dependencyOrder(new Map([...loaded].map(([id, r]) => [id, r.manifest!])));
  for (const [id, err] of refused) {
    loaded.get(id)!.configError = true;
    fail(loaded.get(id)!, err);
  }
  return { loaded, order };
}
