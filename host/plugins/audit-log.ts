import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import { GroupCommitQueue } from '../../sdk/plugin/group-commit-queue.js';
import type { AuditEntry, AuditFilter as WireAuditFilter } from '../../sdk/protocol/admin.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import { batchesInFlight } from '../db/batches-in-flight.js';
import type { HostConfig } from '../config/host-config.js';

export type { AuditEntry };

/** The admin API's filter, with the page size the route settled on. */
export interface AuditFilter extends WireAuditFilter {
  limit: number;
}

interface AuditRow {
  plugin_id: string;
  capability: string;
  action: string;
  target: string | null;
  at: number;
}

/** Rows per INSERT; well under the bound-parameter limits of SQLite and PostgreSQL. */
const MAX_BATCH = 500;

/**
 * Every side effect a plugin causes: which plugin, which capability, what, on what, when.
 * Entries are group-committed: each caller still waits until its entry is durable, but entries
 * recorded in the same turn of the event loop share one INSERT (and one fsync on SQLite), so the
 * audit trail does not cap how many calls plugins can make.
 */
@injectable()
export class AuditLog {
  private readonly queue: GroupCommitQueue<AuditRow>;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) config: HostConfig,
  ) {
    this.queue = new GroupCommitQueue<AuditRow>({
      commit: async (rows) => {
        await this.db.knex('audit_log').insert(rows);
      },
      maxBatch: MAX_BATCH,
      // Each side effect waits for its entry: on PostgreSQL, one commit at a time made every
      // plugin call queue behind the one before it.
      maxInFlight: batchesInFlight(db, config.database.poolSize),
    });
  }

  /** `executor`: a transaction the entry commits (or rolls back) with; it is written there at once. */
  async record(
    pluginId: string,
    capability: string,
    action: string,
    target: string | null,
    executor?: Knex | Knex.Transaction,
  ): Promise<void> {
    const row: AuditRow = {
      plugin_id: pluginId,
      capability,
      action,
      target: target?.slice(0, 512) ?? null,
      at: Date.now(),
    };
    if (executor) {
      await executor('audit_log').insert(row);
      return;
    }
    await this.queue.push(row);
  }

  /** Newest first; each filter given narrows the entries to those equal to it. */
  async query(filter: AuditFilter): Promise<AuditEntry[]> {
    const q = this.db.knex('audit_log').orderBy('id', 'desc').limit(filter.limit);
    if (filter.pluginId) q.where({ plugin_id: filter.pluginId });
    if (filter.capability) q.where({ capability: filter.capability });
    if (filter.action) q.where({ action: filter.action });
    if (filter.before !== undefined) q.where('id', '<', filter.before);
    const rows = (await q) as {
      id: number | string;
      plugin_id: string;
      capability: string;
      action: string;
      target: string | null;
      at: number;
    }[];
    return rows.map((r) => ({
      id: Number(r.id),
      pluginId: r.plugin_id,
      capability: r.capability,
      action: r.action,
      target: r.target,
      at: new Date(r.at).toISOString(),
    }));
  }
}
