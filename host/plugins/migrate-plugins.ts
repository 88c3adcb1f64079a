import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { ConfiguredPlugins } from './configured-plugins.js';
import { importDefinition } from './import-plugin-definition.js';
import type { PluginInstaller } from './plugin-installer.js';
import type { PluginRecord } from './plugin-record.js';
import type { PluginRegistry } from './plugin-registry.js';

/** What `npm run migrate` did for one configured plugin. */
export interface MigrateOutcome {
  id: string;
  status: 'migrated' | 'skipped' | 'failed';
  applied?: string[];
  error?: string;
}

export interface MigratePluginsDeps {
  registry: PluginRegistry;
  installer: PluginInstaller;
  /** Marks a plugin failed, with the error attributed to it. */
  fail: (record: PluginRecord, err: unknown) => void;
}

/**
 * `npm run migrate`: installs each enabled trusted plugin (bot user, install record) and applies
 * its pending migrations, in dependency order, without starting it. Sandboxed apps have no
 * migrations. Returns one outcome per configured plugin; a plugin that fails is reported, and
 * the plugins that depend on it are skipped.
 */
export async function migratePlugins(
  { loaded, order }: ConfiguredPlugins,
  { registry, installer, fail }: MigratePluginsDeps,
): Promise<MigrateOutcome[]> {
  const migrated = new Map<string, string[]>();
  for (const id of order) {
    const record = loaded.get(id)!;
    const manifest = record.manifest!;
    if (manifest.runtime === 'sandbox') {
      record.status = 'disabled';
      continue;
    }
    const missing = Object.keys(manifest.dependencies ?? {}).filter(
      (dep) => !migrated.has(dep) && registry.get(dep)?.manifest?.runtime !== 'sandbox',
    );
    if (missing.length > 0) {
      fail(
        record,
        new SwitchboardError('plugin_dependency_missing', `Plugin ${id} needs ${missing.join(', ')} migrated first.`),
      );
      continue;
    }
    record.generation++;
    record.status = 'running';
    try {
      const definition = record.definition ?? (record.definition = await importDefinition(record.entryFile!));
      const { migrationsApplied } = await installer.install(record, definition);
      record.status = 'disabled';
      record.generation++;
      migrated.set(id, migrationsApplied);
    } catch (err) {
      fail(record, err);
    }
  }
  return registry
    .all()
    .map((r) =>
      r.status === 'failed'
        ? { id: r.id, status: 'failed' as const, error: `[${r.error?.code}] ${r.error?.message}` }
        : migrated.has(r.id)
          ? { id: r.id, status: 'migrated' as const, applied: migrated.get(r.id)! }
          : { id: r.id, status: 'skipped' as const },
    );
}
