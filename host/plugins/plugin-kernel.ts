import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import { MessageTypeRegistry } from '../messages/message-type-registry.js';
import { loadConfiguredPlugins, type ConfiguredPlugins } from './configured-plugins.js';
import { importDefinition } from './import-plugin-definition.js';
import { migratePlugins, type MigrateOutcome } from './migrate-plugins.js';
import { PluginInstaller } from './plugin-installer.js';
import { PluginDatabase } from './database/plugin-database.js';
import { SandboxHost } from '../sandbox/sandbox-host.js';
import { PluginLogs } from './plugin-logs.js';
import { registerMessageTypes, unregisterMessageTypes } from './plugin-message-types.js';
import { emptyHandlers, type PluginRecord } from './plugin-record.js';
import { PluginRegistry } from './plugin-registry.js';
import { PluginSettingsValidator } from './plugin-settings-validator.js';
import { purgePluginData } from './purge-plugin-data.js';
import { withTimeout } from './with-timeout.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { OutboundPools } from './capabilities/outbound-pool.js';

const START_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 5_000;

/**
 * Loads the configured plugins, orders them by dependency, and runs their lifecycle. A plugin
 * that is invalid or fails never stops the host or another plugin: it is marked failed, with
 * the error attributed to it.
 */
@injectable()
export class PluginKernel {
  private readonly settings = new PluginSettingsValidator();
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
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
    @inject(OutboundPools) private readonly outbound: OutboundPools,
  ) {
    sandbox.attach({
      logs,
      // A failed start counts too: the sandbox retries an app whose worker died under it.
      restart: async (id) => {
        const record = this.registry.get(id);
        if (!record || record.configError || record.status === 'disabled') return;
        record.restarting = true;
        try {
          if (record.status === 'running') await this.stopRecord(record, 'disabled');
          await this.start(record);
        } finally {
          record.restarting = false;
        }
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

  /** `npm run migrate`: installs and migrates the trusted plugins without starting them (migrate-plugins.ts). */
  async migrateAll(): Promise<MigrateOutcome[]> {
    return migratePlugins(this.loadConfigured(), {
      registry: this.registry,
      installer: this.installer,
      fail: (record, err) => this.fail(record, err),
    });
  }

  /** Reads, checks and orders the configured plugins; the ones that are wrong are marked failed. */
  private loadConfigured(): ConfiguredPlugins {
    return loadConfiguredPlugins({
      config: this.config.plugins,
      registry: this.registry,
      settings: this.settings,
      fail: (record, err) => this.fail(record, err),
    });
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
   * Stops a plugin. Its data (storage, tables, jobs, applied migrations, webhook secret, and its
   * metrics on this host) stays unless `purge`. Its identity stays either way: the install record
   * and bot user, so the messages it sent keep their sender and a reinstall gets the same bot. To
   * keep it uninstalled across restarts, remove it from plugins.enabled.
   */
  async uninstall(id: string, purge: boolean): Promise<{ plugin: PluginRecord; purged: boolean }> {
    const record = await this.disable(id);
    if (!purge) return { plugin: record, purged: false };
    await purgePluginData(this.db, this.database, record.id);
    this.metrics.plugins.remove(record.id);
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
      registerMessageTypes(this.types, record);
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
    unregisterMessageTypes(this.types, record);
    // Taken now, so a run started while stop() runs (an enable) gets a pool of its own.
    const outbound = this.outbound.detach(record.id);
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
    // After stop(), which may wait for requests it started: then none of its sockets stays open.
    outbound?.destroy();
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
    unregisterMessageTypes(this.types, record);
    this.outbound.release(record.id);
    this.log.warn({ plugin: record.id, code: error.code, err: error.message }, 'plugin failed');
  }
}
