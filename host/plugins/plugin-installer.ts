import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PluginDefinition } from '../../sdk/plugin/define-plugin.js';
import type { PluginContext } from '../../sdk/plugin/plugin-context.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import { UserService } from '../auth/user-service.js';
import { ConversationService } from '../conversations/conversation-service.js';
import { GroupService } from '../conversations/group-service.js';
import { MessageService } from '../messages/message-service.js';
import { PinService } from '../messages/pin-service.js';
import { AuditLog } from './audit-log.js';
import { buildMigrationContext, buildPluginContext } from './capabilities/build-plugin-context.js';
import { PluginDatabase } from './database/plugin-database.js';
import type { PluginServices } from './plugin-services.js';
import { PluginLogs } from './plugin-logs.js';
import type { PluginRecord } from './plugin-record.js';
import { PluginStorage } from './plugin-storage.js';
import { PluginJobStore } from './plugin-job-store.js';
import { ServiceRegistry } from './service-registry.js';
import { Presence } from '../realtime/presence.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import type { NotificationDispatch } from '../core/extension-points.js';
import { AttachmentService } from '../attachments/attachment-service.js';
import { OutboundPools } from './capabilities/outbound-pool.js';

interface InstallRow {
  id: string;
  version: string;
  bot_user_id: string;
}

/**
 * Install and upgrade: the plugin's bot user (created once, kept across versions), its install
 * record, and its migrations, each applied once. Data stays when a plugin is disabled or
 * upgraded.
 */
@injectable()
export class PluginInstaller {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(UserService) private readonly users: UserService,
    @inject(ConversationService) private readonly conversations: ConversationService,
    @inject(GroupService) private readonly groups: GroupService,
    @inject(MessageService) private readonly messages: MessageService,
    @inject(PinService) private readonly pins: PinService,
    @inject(PluginStorage) private readonly storage: PluginStorage,
    @inject(AuditLog) private readonly audit: AuditLog,
    @inject(PluginLogs) private readonly logs: PluginLogs,
    @inject(PluginJobStore) private readonly scheduler: PluginJobStore,
    @inject(ServiceRegistry) private readonly serviceRegistry: ServiceRegistry,
    @inject(PluginDatabase) private readonly database: PluginDatabase,
    @inject(Presence) private readonly presence: Presence,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
    @inject(Tokens.Notifications) private readonly notifications: NotificationDispatch,
    @inject(AttachmentService) private readonly attachments: AttachmentService,
    @inject(OutboundPools) private readonly outbound: OutboundPools,
  ) {}

  async install(
    record: PluginRecord,
    definition: PluginDefinition,
  ): Promise<{ context: PluginContext; migrationsApplied: string[] }> {
    const manifest = record.manifest!;
    let row = await this.db.knex<InstallRow>('plugins').where({ id: record.id }).first<InstallRow | undefined>();
    if (!row) {
      const bot = await this.users
        .create({ handle: record.id, displayName: manifest.name.slice(0, 64), kind: 'bot' })
        .catch((err: unknown) => {
          if (err instanceof SwitchboardError && err.code === 'handle_taken') {
            throw new SwitchboardError(
              'plugin_start_failed',
              `The handle "${record.id}" for the bot of plugin ${record.id} belongs to another user.`,
            );
          }
          throw err;
        });
      const now = this.clock.now();
      row = { id: record.id, version: manifest.version, bot_user_id: bot.id };
      await this.db.knex('plugins').insert({ ...row, installed_at: now, updated_at: now });
      this.log.info({ plugin: record.id, version: manifest.version }, 'plugin installed');
    } else if (row.version !== manifest.version) {
      await this.db
        .knex('plugins')
        .where({ id: record.id })
        .update({ version: manifest.version, updated_at: this.clock.now() });
      this.log.info({ plugin: record.id, from: row.version, to: manifest.version }, 'plugin upgraded');
    }
    record.botUserId = row.bot_user_id;
    const bot = await this.users.byId(row.bot_user_id);
    const services: PluginServices = {
      messages: this.messages,
      pins: this.pins,
      conversations: this.conversations,
      groups: this.groups,
      users: this.users,
      storage: this.storage,
      audit: this.audit,
      logs: this.logs,
      scheduler: this.scheduler,
      serviceRegistry: this.serviceRegistry,
      db: this.db,
      database: this.database,
      presence: this.presence,
      metrics: this.metrics.plugins,
      notifications: this.notifications,
      attachments: this.attachments,
      outbound: this.outbound,
    };
    const context = buildPluginContext(record, bot, services);
    await this.database.reload(record.id);
    const migrationsApplied = await this.migrate(record, definition, context, services);
    return { context, migrationsApplied };
  }

  /** Applies the plugin's pending migrations in order; returns the names applied. */
  private async migrate(
    record: PluginRecord,
    definition: PluginDefinition,
    context: PluginContext,
    services: PluginServices,
  ): Promise<string[]> {
    const migrations = definition.migrations ?? [];
    const done: string[] = [];
    if (migrations.length === 0) return done;
    const applied = new Set(
      (await this.db.knex('plugin_migrations').where({ plugin_id: record.id }).select<{ name: string }[]>('name')).map(
        (r) => r.name,
      ),
    );
    for (const migration of migrations) {
      if (applied.has(migration.name)) continue;
      const created: string[] = [];
      try {
        await migration.up(buildMigrationContext(context, record, services, created));
      } catch (err) {
        await this.undoCreatedTables(record.id, created);
        throw new SwitchboardError(
          'plugin_start_failed',
          `Migration ${migration.name} of plugin ${record.id} failed: ${(err as Error)?.message ?? String(err)}`,
          { cause: err },
        );
      }
      await this.db
        .knex('plugin_migrations')
        .insert({ plugin_id: record.id, name: migration.name, applied_at: this.clock.now() });
      this.log.info({ plugin: record.id, migration: migration.name }, 'plugin migration applied');
      done.push(migration.name);
    }
    return done;
  }

  /** Each schema call commits on its own, so a failed migration drops the tables it created to be rerunnable. */
  private async undoCreatedTables(pluginId: string, created: string[]): Promise<void> {
    for (const table of created.reverse()) {
      await this.database
        .dropTable(pluginId, table)
        .then(() => this.audit.record(pluginId, 'database', 'drop_table', table))
        .catch((err: unknown) =>
          this.log.error({ plugin: pluginId, table, err }, 'could not drop a table of a failed migration'),
        );
    }
  }
}
