import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { stringProblem } from '../validation/input-strings.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { StoredValue } from '../../sdk/plugin/plugin-context.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { Logger } from '../logging/logger.js';
import type { Clock } from '../core/clock.js';
import { PluginKvReads, type KvRow } from './plugin-kv-reads.js';

const MAX_KEY_LENGTH = 512;
const MAX_LIST = 1000;
/** Ten years: longer is a mistake, and 1e300 seconds overflowed the expiry's 64-bit column. */
const MAX_TTL_SECONDS = 315_360_000;
/** Expired keys deleted per statement: keeps each delete, and the plugin's lock, short. */
const PURGE_BATCH = 500;
/** Batches one write purges at most, so its cost stays bounded; the sweep takes any rest. */
const MAX_WRITE_PURGES = 8;
/** Batches per plugin per sweep; whatever is left waits for the next sweep or the plugin's writes. */
const MAX_SWEEP_PURGES = 20;

/**
 * Each plugin's key-value store. Writes take the plugin's row lock, so compare-and-set and the
 * quota hold under concurrency on PostgreSQL as on SQLite. Expired keys read as absent, but
 * every stored row counts against the quota until it is deleted: by the plugin's next write, or
 * by the periodic sweep. Both delete under the plugin's lock, so a write never races a purge.
 */
@injectable()
export class PluginStorage {
  private sweepTimer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;
  private sweepStopped = false;
  private readonly reads: PluginKvReads;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {
    this.reads = new PluginKvReads(db, config.database.poolSize);
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
        const existing = await this.lockAndRead(trx, pluginId, key, now);
        const current = existing && live(existing, now) ? existing : null;
        checkVersion(opts.ifVersion, current);
        const used = await this.usedBytes(trx, pluginId, key);
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
      await this.lock(trx, pluginId);
      const existing = await trx<KvRow>('plugin_kv').where({ plugin_id: pluginId, key }).first<KvRow | undefined>();
      const current = existing && live(existing, this.clock.now()) ? existing : null;
      checkVersion(opts.ifVersion, current);
      if (!existing) return false;
      await trx('plugin_kv').where({ plugin_id: pluginId, key }).delete();
      return current !== null;
    });
  }

  async list(
    pluginId: string,
    prefix: string,
    opts: { after?: string; limit?: number },
  ): Promise<{ entries: { key: string; value: unknown; version: number }[]; hasMore: boolean }> {
    if (typeof prefix !== 'string' || prefix.length > MAX_KEY_LENGTH)
      throw new SwitchboardError('invalid_request', 'prefix must be a string of at most 512 characters.');
    checkWellFormed(prefix, 'Prefixes');
    if (typeof opts.after === 'string') checkWellFormed(opts.after, 'Keys to list after');
    const limit = opts.limit ?? 100;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST)
      throw new SwitchboardError('invalid_request', `limit must be an integer from 1 to ${MAX_LIST}.`);
    const knex = this.db.knex;
    // Byte order on both databases; substr avoids LIKE's wildcards and SQLite's case folding.
    const keyExpr = this.db.kind === 'postgres' ? 'key collate "C"' : 'key';
    const q = knex<KvRow>('plugin_kv')
      .where({ plugin_id: pluginId })
      // Both databases count characters (code points), as the spread does; .length counts UTF-16 units.
      .andWhereRaw('substr(key, 1, ?) = ?', [[...prefix].length, prefix])
      .andWhere((w) => w.whereNull('expires_at').orWhere('expires_at', '>', this.clock.now()))
      .orderByRaw(keyExpr)
      .limit(limit + 1);
    if (opts.after !== undefined) q.andWhereRaw(`${keyExpr} > ?`, [opts.after]);
    const rows = await q;
    return {
      entries: rows
        .slice(0, limit)
        .map((r) => ({ key: r.key, value: JSON.parse(r.value) as unknown, version: r.version })),
      hasMore: rows.length > limit,
    };
  }

  /** Bytes the plugin's rows take, expired ones not yet deleted included: what the quota counts. */
  async usage(pluginId: string): Promise<number> {
    return this.usedBytes(this.db.knex, pluginId);
  }

  // ---- deleting expired keys ----------------------------------------------------------------

  /** Starts the periodic sweep (plugins.storageSweepMs); stopSweeping() ends it. */
  startSweeping(): void {
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
    }, this.config.plugins.storageSweepMs);
    this.sweepTimer.unref();
  }

  /** Ends the sweep and waits for a pass in progress, which stops between batches. */
  async stopSweeping(): Promise<void> {
    this.sweepStopped = true;
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    this.sweepTimer = null;
    await this.sweeping;
  }

  /** One pass: each plugin's expired keys, in batches, each batch a short transaction under its lock. */
  async sweep(): Promise<number> {
    let deleted = 0;
    // Plugin ids come from `plugins` (a handful of rows); a storage row always has its plugin's row.
    const ids = ((await this.db.knex('plugins').select('id').orderBy('id')) as { id: string }[]).map((r) => r.id);
    for (const id of ids) {
      for (let round = 0; round < MAX_SWEEP_PURGES && !this.sweepStopped; round++) {
        const purged = await this.db.knex.transaction(async (trx) => {
          await this.lock(trx, id);
          return this.purgeExpired(trx, id, this.clock.now());
        });
        deleted += purged;
        if (purged < PURGE_BATCH) break;
      }
    }
    return deleted;
  }

  /**
   * Takes the plugin's lock, deletes its expired keys (at most MAX_WRITE_PURGES batches; each
   * row is deleted once, so the cost is paid off by the writes that stored them), then reads the key.
   */
  private async lockAndRead(
    trx: Knex.Transaction,
    pluginId: string,
    key: string,
    now: number,
  ): Promise<KvRow | undefined> {
    await this.lock(trx, pluginId);
    for (let round = 1; round <= MAX_WRITE_PURGES; round++) {
      const purged = await this.purgeExpired(trx, pluginId, now);
      if (purged < PURGE_BATCH || round === MAX_WRITE_PURGES) break;
    }
    return trx<KvRow>('plugin_kv').where({ plugin_id: pluginId, key }).first<KvRow | undefined>();
  }

  /** Serialises a plugin's writes and purges (its row in `plugins`); SQLite has one writer anyway. */
  private async lock(trx: Knex.Transaction, pluginId: string): Promise<void> {
    if (this.db.kind === 'postgres') await trx('plugins').where({ id: pluginId }).forUpdate().select('id');
  }

  /** Deletes up to PURGE_BATCH of the plugin's expired keys; the caller holds the plugin's lock. */
  private async purgeExpired(trx: Knex.Transaction, pluginId: string, now: number): Promise<number> {
    const batch = trx('plugin_kv')
      .select('key')
      .where({ plugin_id: pluginId })
      .andWhere('expires_at', '<=', now)
      .limit(PURGE_BATCH);
    return trx('plugin_kv').where({ plugin_id: pluginId }).whereIn('key', batch).delete();
  }

  /** Every row of the plugin counts, live or not, so rows awaiting deletion never slip past the quota. */
  private async usedBytes(db: Knex | Knex.Transaction, pluginId: string, exceptKey?: string): Promise<number> {
    const q = db('plugin_kv').where({ plugin_id: pluginId });
    if (exceptKey !== undefined) q.andWhereNot({ key: exceptKey });
    const [row] = (await q.sum({ total: 'bytes' })) as [{ total: number | string | null }];
    return Number(row?.total ?? 0);
  }
}

function live(row: KvRow, now: number): boolean {
  return row.expires_at === null || row.expires_at > now;
}

function toStored(row: KvRow): StoredValue {
  return {
    value: JSON.parse(row.value) as unknown,
    version: row.version,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
  };
}

function checkKey(key: string, what = 'Storage keys'): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new SwitchboardError('invalid_request', `${what} are strings of 1 to ${MAX_KEY_LENGTH} characters.`);
  }
  checkWellFormed(key, what);
}

/** A key is stored as text, not as JSON: a lone surrogate would be stored as U+FFFD (two keys becoming one row), and NUL refused by PostgreSQL alone. */
function checkWellFormed(text: string, what: string): void {
  const problem = stringProblem(text);
  if (problem) throw new SwitchboardError('invalid_request', `${what} must be well-formed: this one ${problem}.`);
}

function serialize(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new SwitchboardError('invalid_request', `Stored values must be JSON: ${(err as Error).message}`);
  }
  if (json === undefined)
    throw new SwitchboardError('invalid_request', 'Stored values must be JSON (not undefined or a function).');
  return json;
}

function checkVersion(ifVersion: number | undefined, current: KvRow | null): void {
  if (ifVersion === undefined) return;
  // A version no key can have is a mistake to name, not a conflict to retry.
  if (!Number.isSafeInteger(ifVersion) || ifVersion < 0)
    throw new SwitchboardError(
      'invalid_request',
      'ifVersion must be a whole number ≥ 0 (0: only if the key is absent).',
    );
  const actual = current?.version ?? 0;
  if (ifVersion !== actual) {
    throw new SwitchboardError(
      'storage_conflict',
      ifVersion === 0
        ? 'The key already exists.'
        : `Expected version ${ifVersion}, found ${current ? actual : 'no value'}.`,
    );
  }
}
