import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import { Tokens } from '../container-tokens.js';
import type { Database } from '../db/open-database.js';

export interface AuditEntry { id: number; pluginId: string; capability: string; action: string; target: string | null; at: string }

/** Every side effect a plugin causes: which plugin, which capability, what, on what, when. */
@injectable()
export class AuditLog {
  constructor(@inject(Tokens.Database) private readonly db: Database) {}

  /** `executor`: a transaction the entry commits (or rolls back) with. */
  async record(pluginId: string, capability: string, action: string, target: string | null, executor: Knex | Knex.Transaction = this.db.knex): Promise<void> {
    await executor('audit_log').insert({ plugin_id: pluginId, capability, action, target: target?.slice(0, 512) ?? null, at: Date.now() });
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
