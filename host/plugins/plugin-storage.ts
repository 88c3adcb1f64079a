import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { StoredValue } from '../../sdk/plugin/plugin-context.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../core/clock.js';
import { PluginKvReads, type KvRow } from './plugin-kv-reads.js';
import { PluginKvUsage } from './plugin-kv-usage.js';
import { PluginKvExpiry } from './plugin-kv-expiry.js';
import { listKeys, type KvListing } from './plugin-kv-list.js';
import { checkKey, checkVersion, live, serialize, toStored } from './plugin-kv-values.js';

/** Ten years: longer is a mistake, and 1e300 seconds overflowed the expiry's 64-bit column. */
const MAX_TTL_SECONDS = 315_360_000;

/**
 * Each plugin's key-value store. Writes take the plugin's row lock, so compare-and-set and the
 * quota hold under concurrency on PostgreSQL as on SQLite. Expired keys read as absent, but
 * every stored row counts against the quota until it is deleted: by the plugin's next write, or
 * by the periodic sweep. Both delete under the plugin's lock, so a write never races a purge.
 * What the quota counts is a running total (plugin-kv-usage.ts), so a write costs the same
 * however many keys the plugin holds.
 */
@injectable()
export class PluginStorage {
  private readonly reads: PluginKvReads;
  private readonly usageTotals: PluginKvUsage;
  private readonly expiry: PluginKvExpiry;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) config: HostConfig,
    @inject(Tokens.Logger) log: Logger,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {
    this.reads = new PluginKvReads(db, config.database.poolSize);
    this.usageTotals = new PluginKvUsage(db);
    this.expiry = new PluginKvExpiry(db, this.usageTotals, config.plugins.storageSweepMs, log, clock);
  }

  async get(pluginId: string, key: string): Promise<StoredValue | null> {
    checkKey(key);
    const row = await this.reads.get(pluginId, key);
    return row && live(row, this.clock.now()) ? toStored(row) : null;
  }

  async set(
    pluginId: string,
    key: string,
    value: unknown,
    opts: { ttlSeconds?: number; ifVersion?: number },
    quotaBytes: number,
  ): Promise<{ version: number }> {
    checkKey(key);
    const json = serialize(value);
    if (
      opts.ttlSeconds !== undefined &&
      (!Number.isInteger(opts.ttlSeconds) || opts.ttlSeconds < 1 || opts.ttlSeconds > MAX_TTL_SECONDS)
    ) {
      throw new SwitchboardError('invalid_request', `ttlSeconds must be a whole number from 1 to ${MAX_TTL_SECONDS}.`);
    }
    const bytes = Buffer.byteLength(key) + Buffer.byteLength(json);
    try {
      return await this.db.knex.transaction(async (trx) => {
        const now = this.clock.now();
        const total = await this.usageTotals.lock(trx, pluginId);
        const freed = await this.expiry.purgeForWrite(trx, pluginId, now);
        const existing = await trx<KvRow>('plugin_kv').where({ plugin_id: pluginId, key }).first<KvRow | undefined>();
        const current = existing && live(existing, now) ? existing : null;
        checkVersion(opts.ifVersion, current);
        // Every other row counts, live or not, so rows awaiting deletion never slip past the quota.
        const used = total - freed - (existing?.bytes ?? 0);
        if (used + bytes > quotaBytes) {
          throw new SwitchboardError(
            'storage_quota_exceeded',
            `Writing "${key}" (${bytes} bytes) would use ${used + bytes} of ${quotaBytes} bytes.`,
          );
        }
        const version = (existing?.version ?? 0) + 1;
        const row: KvRow = {
          plugin_id: pluginId,
          key,
          value: json,
          bytes,
          version,
          expires_at: opts.ttlSeconds ? now + opts.ttlSeconds * 1000 : null,
          updated_at: now,
        };
        if (existing) await trx('plugin_kv').where({ plugin_id: pluginId, key }).update(row);
        else await trx('plugin_kv').insert(row);
        await this.usageTotals.add(trx, pluginId, bytes - (existing?.bytes ?? 0));
        return { version };
      });
    } catch (err) {
      if (isUniqueViolation(err)) throw new SwitchboardError('storage_conflict', `"${key}" was written concurrently.`);
      throw err;
    }
  }

  async delete(pluginId: string, key: string, opts: { ifVersion?: number }): Promise<boolean> {
    checkKey(key);
    return this.db.knex.transaction(async (trx) => {
      await this.usageTotals.lock(trx, pluginId);
      const existing = await trx<KvRow>('plugin_kv').where({ plugin_id: pluginId, key }).first<KvRow | undefined>();
      const current = existing && live(existing, this.clock.now()) ? existing : null;
      checkVersion(opts.ifVersion, current);
      if (!existing) return false;
      await trx('plugin_kv').where({ plugin_id: pluginId, key }).delete();
      await this.usageTotals.add(trx, pluginId, -existing.bytes);
      return current !== null;
    });
  }

  list(pluginId: string, prefix: string, opts: { after?: string; limit?: number }): Promise<KvListing> {
    return listKeys(this.db, pluginId, prefix, opts, this.clock.now());
  }

  /** Bytes the plugin's rows take, expired ones not yet deleted included: what the quota counts. */
  async usage(pluginId: string): Promise<number> {
    return this.usageTotals.read(pluginId);
  }

  /** Starts the periodic sweep of expired keys (plugins.storageSweepMs); stopSweeping() ends it. */
  startSweeping(): void {
    this.expiry.start();
  }

  /** Ends the sweep and waits for a pass in progress, which stops between batches. */
  stopSweeping(): Promise<void> {
    return this.expiry.stop();
  }
}
