import { pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PluginDefinition } from '../../sdk/plugin/define-plugin.js';
import type { PluginManifest } from '../../sdk/plugin/manifest.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import { MessageTypeRegistry } from '../messages/message-type-registry.js';
import { assertUniqueTappableIds } from '../messages/tappable-ids.js';
import { dependencyOrder } from './dependency-order.js';
import { computeGrants, GrantedScopes } from './grants.js';
import { loadManifest, manifestPathOf, peekManifestId } from './manifest-loader.js';
import { PluginInstaller } from './plugin-installer.js';
import { PluginDatabase } from './database/plugin-database.js';
import { SandboxHost } from '../sandbox/sandbox-host.js';
import { PluginLogs } from './plugin-logs.js';
import { emptyHandlers, type PluginRecord } from './plugin-record.js';
import { PluginRegistry } from './plugin-registry.js';
import { withTimeout } from './with-timeout.js';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Loads the configured plugins, orders them by dependency, and runs their lifecycle. A plugin
 * that is invalid or fails never stops the host or another plugin: it is marked failed, with
 * the error attributed to it.
 */
@injectable()
export class PluginKernel {
  private readonly ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  private startOrder: string[] = [];

  constructor(
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(MessageTypeRegistry) private readonly types: MessageTypeRegistry,
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(PluginLogs) private readonly logs: PluginLogs,
    @inject(PluginInstaller) private readonly installer: PluginInstaller,
    @inject(PluginDatabase) private readonly database: PluginDatabase,
    @inject(SandboxHost) private readonly sandbox: SandboxHost,
  ) {
    sandbox.attach({
      logs,
      // A failed start counts too: the sandbox retries an app whose worker died under it.
      restart: async (id) => {
        const record = this.registry.get(id);
        if (!record || record.configError || record.status === 'disabled') return;
        if (record.status === 'running') await this.stopRecord(record, 'disabled');
        await this.start(record);
      },
      disable: (id, error) => {
        const record = this.registry.get(id);
        if (record && record.status !== 'disabled') this.fail(record, error);
      },
    });
  }

  async startAll(): Promise<void> {
    const { loaded, order } = this.loadConfigured();
    this.startOrder = order;
    for (const id of order) await this.start(loaded.get(id)!);
    const summary = this.registry.all().map((r) => ({ id: r.id, status: r.status, error: r.error?.code }));
    if (summary.length > 0) this.log.info({ plugins: summary }, 'plugins loaded');
  }

  /**
   * `npm run migrate`: installs each enabled trusted plugin (bot user, install record) and applies
   * its pending migrations, in dependency order, without starting it. Sandboxed apps have no
   * migrations. Returns one outcome per configured plugin; a plugin that fails is reported, and
   * the plugins that depend on it are skipped.
   */
  async migrateAll(): Promise<
    { id: string; status: 'migrated' | 'skipped' | 'failed'; applied?: string[]; error?: string }[]
  > {
    const { loaded, order } = this.loadConfigured();
    const migrated = new Map<string, string[]>();
    for (const id of order) {
      const record = loaded.get(id)!;
      const manifest = record.manifest!;
      if (manifest.runtime === 'sandbox') {
        record.status = 'disabled';
        continue;
      }
      const missing = Object.keys(manifest.dependencies ?? {}).filter(
        (dep) => !migrated.has(dep) && this.registry.get(dep)?.manifest?.runtime !== 'sandbox',
      );
      if (missing.length > 0) {
        this.fail(
          record,
          new SwitchboardError('plugin_dependency_missing', `Plugin ${id} needs ${missing.join(', ')} migrated first.`),
        );
        continue;
      }
      record.generation++;
      record.status = 'running';
      try {
        const definition = record.definition ?? (record.definition = await importDefinition(record.entryFile!));
        const { migrationsApplied } = await this.installer.install(record, definition);
        record.status = 'disabled';
        record.generation++;
        migrated.set(id, migrationsApplied);
      } catch (err) {
        this.fail(record, err);
      }
    }
    return this.registry
      .all()
      .map((r) =>
        r.status === 'failed'
          ? { id: r.id, status: 'failed' as const, error: `[${r.error?.code}] ${r.error?.message}` }
          : migrated.has(r.id)
            ? { id: r.id, status: 'migrated' as const, applied: migrated.get(r.id)! }
            : { id: r.id, status: 'skipped' as const },
      );
  }

  /** Reads, checks and orders the configured plugins; the ones that are wrong are marked failed. */
  private loadConfigured(): { loaded: Map<string, PluginRecord>; order: string[] } {
    const loaded = new Map<string, PluginRecord>();
    for (const entry of this.config.plugins.enabled) {
      const file = manifestPathOf(entry, this.config.plugins.manifestsDir);
      let record = newRecord(entry.id ?? file, file);
      try {
        const { manifest, entryFile } = loadManifest(file);
        if (loaded.has(manifest.id) || this.registry.get(manifest.id)) {
          // The first entry keeps the id; this one is listed under its manifest path.
          throw new SwitchboardError(
            'manifest_invalid',
            `Plugin ${manifest.id} is enabled twice; only the first entry is used.`,
          );
        }
        record = { ...record, id: manifest.id, manifest, entryFile };
        record.settings = this.validateSettings(manifest, entry.settings ?? {});
        const grants = computeGrants(manifest, entry.grants ?? {});
        record.granted = grants.granted;
        record.refused = grants.refused;
        loaded.set(manifest.id, record);
      } catch (err) {
        record.configError = true;
        const id = record.manifest ? null : peekManifestId(file);
        if (id && !loaded.has(id) && !this.registry.get(id)) record = { ...record, id };
        this.fail(record, err);
      }
      this.registry.set(record);
    }
    const { order, refused } = dependencyOrder(new Map([...loaded].map(([id, r]) => [id, r.manifest!])));
    for (const [id, err] of refused) {
      loaded.get(id)!.configError = true;
      this.fail(loaded.get(id)!, err);
    }
    return { loaded, order };
  }

  /** Dependents stop before what they depend on. */
  async stopAll(): Promise<void> {
    for (const id of [...this.startOrder].reverse()) {
      const record = this.registry.get(id);
      if (record?.status === 'running') await this.stopRecord(record, 'disabled');
    }
  }

  async enable(id: string): Promise<PluginRecord> {
    const record = this.require(id);
    if (record.status === 'running') return record;
    if (!record.manifest || record.configError) {
      throw new SwitchboardError(
        'invalid_operation',
        `Plugin ${id} cannot start until its configuration is fixed and the host restarted: ${record.error?.message ?? 'its manifest is invalid'}`,
      );
    }
    this.sandbox.resetFailures(id);
    await this.start(record);
    return record;
  }

  async disable(id: string): Promise<PluginRecord> {
    const record = this.require(id);
    if (record.status === 'running') await this.stopRecord(record, 'disabled');
    else if (record.status === 'failed' && record.manifest) record.status = 'disabled';
    return record;
  }

  /**
   * Stops a plugin. Its data (storage, tables, jobs, applied migrations, webhook secret) stays unless
   * `purge`. Its identity stays either way: the install record and bot user, so the messages it
   * sent keep their sender and a reinstall gets the same bot. To keep it uninstalled across
   * restarts, remove it from plugins.enabled.
   */
  async uninstall(id: string, purge: boolean): Promise<{ plugin: PluginRecord; purged: boolean }> {
    const record = await this.disable(id);
    if (!purge) return { plugin: record, purged: false };
    await this.db.knex.transaction(async (trx) => {
      for (const table of ['plugin_kv', 'plugin_jobs', 'plugin_migrations'])
        await trx(table).where({ plugin_id: record.id }).delete();
      await trx('plugins').where({ id: record.id }).update({ webhook_secret: null, updated_at: Date.now() });
      await this.database.dropAll(record.id, trx);
    });
    this.log.info({ plugin: record.id }, 'plugin data purged');
    return { plugin: record, purged: true };
  }

  private require(id: string): PluginRecord {
    const record = this.registry.get(id);
    if (!record) throw new SwitchboardError('plugin_not_found', `No plugin "${id}" is configured on this host.`);
    return record;
  }

  private async start(record: PluginRecord): Promise<void> {
    const manifest = record.manifest!;
    const missing = Object.keys(manifest.dependencies ?? {}).filter(
      (dep) => this.registry.get(dep)?.status !== 'running',
    );
    if (missing.length > 0) {
      this.fail(
        record,
        new SwitchboardError(
          'plugin_dependency_missing',
          `Plugin ${record.id} needs ${missing.join(', ')} running first.`,
        ),
      );
      return;
    }
    record.generation++;
    record.handlers = emptyHandlers();
    record.error = null;
    record.status = 'running';
    try {
      // Untrusted code never runs in this process: a sandboxed app's definition starts it in a worker.
      const definition =
        record.definition ??
        (record.definition =
          manifest.runtime === 'sandbox'
            ? this.sandbox.definitionFor(record)
            : await importDefinition(record.entryFile!));
      const { context } = await this.installer.install(record, definition);
      for (const t of manifest.contributes?.messageTypes ?? []) {
        if (this.types.has(t.type))
          throw new SwitchboardError(
            'plugin_start_failed',
            `The message type "${t.type}" is already registered by another plugin.`,
          );
        const botId = record.botUserId!;
        // Taps on its buttons reach the plugin (PostbackRouter), so their ids must name one button each.
        this.types.register(t.type, {
          schema: t.schema,
          mayPost: (sender) => sender === botId,
          check: assertUniqueTappableIds,
        });
        record.registeredTypes.push(t.type);
      }
      if (definition.start)
        await withTimeout(
          Promise.resolve().then(() => definition.start!(context)),
          START_TIMEOUT_MS,
        );
      this.log.info({ plugin: record.id, version: manifest.version, refused: record.refused }, 'plugin started');
    } catch (err) {
      this.fail(
        record,
        err instanceof SwitchboardError && (err.kind === 'operator' || err.code === 'app_disabled')
          ? err
          : new SwitchboardError(
              'plugin_start_failed',
              `Plugin ${record.id} failed to start: ${(err as Error)?.message ?? String(err)}`,
            ),
      );
      this.logs.recordFailure(record.id, 'start failed', err);
    }
  }

  private async stopRecord(record: PluginRecord, status: 'disabled'): Promise<void> {
    record.status = status;
    record.generation++;
    record.handlers = emptyHandlers();
    this.unregisterTypes(record);
    const definition = record.definition;
    if (definition?.stop) {
      try {
        await withTimeout(
          Promise.resolve().then(() => definition.stop!()),
          STOP_TIMEOUT_MS,
        );
      } catch (err) {
        this.logs.recordFailure(record.id, 'stop failed', err);
      }
    }
  }

  private fail(record: PluginRecord, err: unknown): void {
    const error =
      err instanceof SwitchboardError
        ? err
        : new SwitchboardError('plugin_start_failed', (err as Error)?.message ?? String(err));
    record.status = 'failed';
    record.generation++;
    record.handlers = emptyHandlers();
    record.error = error.toBody();
    this.unregisterTypes(record);
    this.log.warn({ plugin: record.id, code: error.code, err: error.message }, 'plugin failed');
  }

  private unregisterTypes(record: PluginRecord): void {
    for (const type of record.registeredTypes.splice(0)) this.types.unregister(type);
  }

  private validateSettings(manifest: PluginManifest, settings: Record<string, unknown>): Record<string, unknown> {
    const schema = manifest.contributes?.settings;
    const copy = structuredClone(settings);
    if (!schema) return copy;
    const validate = this.ajv.compile(schema);
    if (!validate(copy)) {
      const details = (validate.errors ?? []).map((e) => ({
        path: e.instancePath || '/',
        message: e.message ?? 'is invalid',
      }));
      throw new SwitchboardError(
        'plugin_settings_invalid',
        `Settings for ${manifest.id} are invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
        { details },
      );
    }
    return copy;
  }
}

function newRecord(id: string, manifestFile: string): PluginRecord {
  return {
    id,
    manifestFile,
    manifest: null,
    entryFile: null,
    status: 'failed',
    error: null,
    botUserId: null,
    granted: new GrantedScopes(),
    refused: [],
    settings: {},
    definition: null,
    handlers: emptyHandlers(),
    generation: 0,
    configError: false,
    registeredTypes: [],
  };
}

async function importDefinition(entryFile: string): Promise<PluginDefinition> {
  const mod = (await import(pathToFileURL(entryFile).href)) as { default?: PluginDefinition };
  const definition = mod.default;
  if (
    !definition ||
    typeof definition !== 'object' ||
    (definition.start !== undefined && typeof definition.start !== 'function')
  ) {
    throw new SwitchboardError(
      'plugin_start_failed',
      `${entryFile} must export default definePlugin({ start(context) { … } }).`,
    );
  }
  return definition;
}
