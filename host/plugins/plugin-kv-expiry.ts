import type { Knex } from 'knex';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../core/clock.js';
import type { PluginKvUsage } from './plugin-kv-usage.js';

/** Expired keys deleted per statement: keeps each delete, and the plugin's lock, short. */
const PURGE_BATCH = 500;
/** Batches one write purges at most, so its cost stays bounded; the sweep takes any rest. */
const MAX_WRITE_PURGES = 8;
/** Batches per plugin per sweep; whatever is left waits for the next sweep or the plugin's writes. */
const MAX_SWEEP_PURGES = 20;

/**
 * Deleting plugins' expired keys: at each write of the plugin (a bounded number of batches) and
 * by the periodic sweep. Every batch runs under the plugin's lock, so a write never races a
 * purge, and takes its rows' bytes off the plugin's total in the same transaction.
 */
export class PluginKvExpiry {
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private sweepStopped = false;
  /** Whether a pass went through every plugin since this host started, recounting each total. */
  private recounted = false;

  constructor(
    private readonly db: Database,
    private readonly usage: PluginKvUsage,
    private readonly sweepMs: number,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  /**
   * For a write, under the plugin's lock: deletes its expired keys (at most MAX_WRITE_PURGES
   * batches; each row is deleted once, so the cost is paid off by the writes that stored them).
   * Returns the bytes freed, already taken off the total.
   */
  async purgeForWrite(trx: Knex.Transaction, pluginId: string, now: number): Promise<number> {
    let freed = 0;
    for (let round = 1; round <= MAX_WRITE_PURGES; round++) {
      const purged = await this.purgeBatch(trx, pluginId, now);
      freed += purged.bytes;
      if (purged.rows < PURGE_BATCH) break;
    }
    return freed;
  }

  /** Starts the periodic sweep (plugins.storageSweepMs); stop() ends it. */
  start(): void {
    if (this.sweepTimer || this.sweepStopped) return;
    this.sweepTimer = setInterval(() => {
      if (this.sweeping || this.sweepStopped) return;
      this.sweeping = this.sweep()
        .then(
          () => undefined,
          (err: unknown) => {
            this.log.error({ err }, 'storage sweep failed');
          },
        )
        .finally(() => {
          this.sweeping = null;
        });
    }, this.sweepMs);
    this.sweepTimer.unref();
  }

  /** Ends the sweep and waits for a pass in progress, which stops between batches. */
  async stop(): Promise<void> {
    this.sweepStopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.sweeping;
  }

  /**
   * One pass: each plugin's expired keys, in batches, each batch a short transaction under its
   * lock. The first pass after the host starts also recounts each plugin's total (a sum over its
   * rows, once per start, not per write): see PluginKvUsage.recount.
   */
  async sweep(): Promise<number> {
    let deleted = 0;
    const recount = !this.recounted;
    // Plugin ids come from `plugins` (a handful of rows); a storage row always has its plugin's row.
    const ids = ((await this.db.knex('plugins').select('id').orderBy('id')) as { id: string }[]).map((r) => r.id);
    for (const id of ids) {
      for (let round = 0; round < MAX_SWEEP_PURGES && !this.sweepStopped; round++) {
        const purged = await this.db.knex.transaction(async (trx) => {
          await this.usage.lock(trx, id);
          if (recount && round === 0) await this.usage.recount(trx, id);
          return this.purgeBatch(trx, id, this.clock.now());
        });
        deleted += purged.rows;
        if (purged.rows < PURGE_BATCH) break;
      }
    }
    if (!this.sweepStopped) this.recounted = true;
    return deleted;
  }

  /** Deletes up to PURGE_BATCH of the plugin's expired keys and takes their bytes off its total; the caller holds its lock. */
  private async purgeBatch(
    trx: Knex.Transaction,
    pluginId: string,
    now: number,
  ): Promise<{ rows: number; bytes: number }> {
    // RETURNING (SQLite 3.35+) says what the delete freed in the same statement; knex has no
    // delete-returning for SQLite, hence raw SQL.
    const result: unknown = await trx.raw(
      `delete from plugin_kv where plugin_id = ? and key in
         (select key from plugin_kv where plugin_id = ? and expires_at <= ? limit ${PURGE_BATCH})
       returning bytes`,
      [pluginId, pluginId, now],
    );
    const rows = (this.db.kind === 'postgres' ? (result as { rows: unknown[] }).rows : result) as { bytes: number }[];
    const bytes = rows.reduce((sum, row) => sum + Number(row.bytes), 0);
    await this.usage.add(trx, pluginId, -bytes);
    return { rows: rows.length, bytes };
  }
}
