import { inject, injectable } from 'tsyringe';
import { GroupCommitQueue } from '../../sdk/plugin/group-commit-queue.js';
import type { AuditEntry, AuditFilter as WireAuditFilter } from '../../sdk/protocol/admin.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import { batchesInFlight } from '../db/batches-in-flight.js';
import type { HostConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { AuditTrim } from './audit-trim.js';

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
/** Entries waiting to be written past which a new one's caller waits for it: the backlog stays bounded. */
const MAX_BEHIND = 4_096;
/**
 * How long entries gather before an INSERT. Nobody waits on them, and written at once they cost
 * a commit of their own for each burst of calls: one per payments batch, an eighth of its
 * statements. Gathered, all plugins' entries together cost at most ten commits a second.
 */
const GATHER_MS = 100;

/**
 * Every side effect a plugin causes: which plugin, which capability, what, on what, when.
 * Entries are written behind the calls, group-committed: a call returns once its effect is done,
 * not after one more commit (on PostgreSQL that commit had been a fifth of an app's event), and
 * entries recorded together share one INSERT. Past MAX_BEHIND entries waiting, callers wait for
 * their own, so a flood of calls is paced by the log rather than held in memory. One plugin's
 * entries are written in the order recorded; a query waits for every entry recorded before it.
 * An entry the database refuses does not fail the call whose effect already happened: it is
 * logged and counted (switchboard_audit_entries_lost_total). Each plugin keeps its newest
 * plugins.auditEntriesPerPlugin entries (AuditTrim).
 */
@injectable()
export class AuditLog {
  private readonly queue: GroupCommitQueue<AuditRow>;
  private readonly behind = new Set<Promise<void>>();
  /** The trims in flight (also in `behind`). */
  private readonly trims = new Set<Promise<void>>();
  private readonly trim: AuditTrim;
  private stopped = false;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) config: HostConfig,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
  ) {
    this.queue = new GroupCommitQueue<AuditRow>({
      commit: (rows) => this.write(rows),
      maxBatch: MAX_BATCH,
      maxInFlight: batchesInFlight(db, config.database.poolSize),
      keyOf: (row) => row.plugin_id,
      gatherMs: GATHER_MS,
    });
    this.trim = new AuditTrim(db, config.plugins.auditEntriesPerPlugin);
  }

  async record(pluginId: string, capability: string, action: string, target: string | null): Promise<void> {
    const row: AuditRow = {
      plugin_id: pluginId,
      capability,
      action,
      target: target?.slice(0, 512) ?? null,
      at: Date.now(),
    };
    if (this.stopped) return this.write([row]);
    const written = this.queue.push(row).catch((err: unknown) => this.lost(err, 1));
    this.track(written);
    if (this.behind.size > MAX_BEHIND) await written;
  }

  private track(work: Promise<void>, set = this.behind): void {
    set.add(work);
    void work.finally(() => set.delete(work));
    if (set !== this.behind) this.track(work);
  }

  /**
   * Starts the trims the rows make due, behind the calls: never awaited by a recording call, which
   * may hold the transaction (SQLite's one connection) a trim waits for.
   */
  private trimLater(rows: readonly AuditRow[]): void {
    // A stopping host writes what is left and closes the database: trims wait for the next start.
    if (this.stopped) return;
    const counts = new Map<string, number>();
    for (const row of rows) counts.set(row.plugin_id, (counts.get(row.plugin_id) ?? 0) + 1);
    for (const [pluginId, count] of counts) {
      const trim = this.trim.wrote(pluginId, count);
      if (trim)
        this.track(
          trim.catch((err: unknown) => this.log.error({ err, pluginId }, 'audit log trim failed')),
          this.trims,
        );
    }
  }

  /** Writes what is still behind the calls, and from now on writes entries at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.queue.stop();
    await this.settled();
  }

  private async write(rows: AuditRow[]): Promise<void> {
    try {
      await this.db.knex('audit_log').insert(rows);
      this.trimLater(rows);
    } catch (err) {
      this.lost(err, rows.length);
    }
  }

  private lost(err: unknown, entries: number): void {
    this.metrics.auditEntriesLost(entries);
    this.log.error({ err, entries }, 'audit entries could not be written');
  }

  /** Every entry recorded before the call written, and the trims their writes started done. */
  private async settled(): Promise<void> {
    await Promise.all([...this.behind]);
    // Entries that were gathering when the call came start their trims only once written.
    await Promise.all([...this.trims]);
  }

  /** Newest first; each filter given narrows the entries to those equal to it. */
  async query(filter: AuditFilter): Promise<AuditEntry[]> {
    await this.settled();
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
