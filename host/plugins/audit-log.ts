import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import { Tokens } from '../container-tokens.js';
import type { Database } from '../db/open-database.js';

export interface AuditEntry { id: number; pluginId: string; capability: string; action: string; target: string | null; at: string }

interface AuditRow { plugin_id: string; capability: string; action: string; target: string | null; at: number }
interface Queued { row: AuditRow; resolve(): void; reject(err: unknown): void }

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
  private queue: Queued[] = [];
  private flushing = false;

  constructor(@inject(Tokens.Database) private readonly db: Database) {}

  /** `executor`: a transaction the entry commits (or rolls back) with; it is written there at once. */
  async record(pluginId: string, capability: string, action: string, target: string | null, executor?: Knex | Knex.Transaction): Promise<void> {
    const row: AuditRow = { plugin_id: pluginId, capability, action, target: target?.slice(0, 512) ?? null, at: Date.now() };
    if (executor) {
      await executor('audit_log').insert(row);
      return;
    }
    await new Promise<void>((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.splice(0, MAX_BATCH);
      try {
        await this.db.knex('audit_log').insert(batch.map((q) => q.row));
        for (const q of batch) q.resolve();
      } catch (err) {
        for (const q of batch) q.reject(err);
      }
    }
    this.flushing = false;
  }

  /** Newest first. */
  async query(filter: { pluginId?: string; before?: number; limit: number }): Promise<AuditEntry[]> {
    const q = this.db.knex('audit_log').orderBy('id', 'desc').limit(filter.limit);
    if (filter.pluginId) q.where({ plugin_id: filter.pluginId });
    if (filter.before !== undefined) q.where('id', '<', filter.before);
    const rows = (await q) as { id: number | string; plugin_id: string; capability: string; action: string; target: string | null; at: number }[];
    return rows.map((r) => ({ id: Number(r.id), pluginId: r.plugin_id, capability: r.capability, action: r.action, target: r.target, at: new Date(r.at).toISOString() }));
  }
}
