import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { ScheduledJobInfo } from '../../sdk/plugin/plugin-context.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import {
  checkDueTime,
  checkInterval,
  checkKey,
  checkName,
  checkOptions,
  oneOffDueTime,
  payloadJson,
  type OneOffOptions,
  type RecurringOptions,
} from './plugin-job-checks.js';
import { PluginKvUsage } from './plugin-kv-usage.js';

export interface JobRow {
  id: string;
  plugin_id: string;
  name: string;
  key: string | null;
  payload: string;
  run_at: number;
  interval_ms: number | null;
  attempt: number;
  locked_by: string | null;
  locked_until: number | null;
  last_error: string | null;
  created_at: number;
  payload_bytes: number;
}

/** A plugin's scheduler quota (its `scheduler` scope): pending jobs, and their payload bytes in total. */
export interface SchedulerQuota {
  maxJobs: number;
  quotaBytes: number;
}

/** The plugin's job names that a host can run now, because the plugin runs and handles them. */
export interface RunnableJobs {
  id: string;
  names: string[];
}

type Scheduled = { job: ScheduledJobInfo; created: boolean };

const unlocked = { locked_by: null, locked_until: null };

/**
 * Durable jobs of plugins (table plugin_jobs), with their due times on the host's clock. A due
 * run is claimed with a conditional UPDATE that takes a lease: only the host whose UPDATE changed
 * the row runs it, so hosts sharing a database never run the same due run twice. The lease lasts
 * plugins.jobLeaseMs and its holder renews it while the run lasts, so a run is taken over only
 * when its host dies (or stops renewing). Only the holder of that lease may settle the run.
 */
@injectable()
export class PluginJobStore {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.HostId) private readonly hostId: string,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(Tokens.Config) private readonly config: HostConfig,
  ) {}

  /** How long a claimed run belongs to its host without a renewal. */
  get leaseMs(): number {
    return this.config.plugins.jobLeaseMs;
  }

  /** A one-off job; with a key that exists for the plugin, the existing job, unchanged. */
  async schedule(pluginId: string, name: string, options: OneOffOptions, quota: SchedulerQuota): Promise<Scheduled> {
    checkOptions(options, 'schedule', 'at?, delayMs?, payload?, key?');
    const now = this.clock.now();
    const runAt = oneOffDueTime(options, now);
    return this.insert(pluginId, name, runAt, null, options.payload, options.key, now, quota);
  }

  /** A recurring job, first due after intervalMs. */
  async every(
    pluginId: string,
    name: string,
    intervalMs: number,
    options: RecurringOptions,
    quota: SchedulerQuota,
  ): Promise<Scheduled> {
    checkInterval(intervalMs);
    checkOptions(options, 'every', 'payload?, key?');
    const now = this.clock.now();
    return this.insert(pluginId, name, now + intervalMs, intervalMs, options.payload, options.key, now, quota);
  }

  async cancel(pluginId: string, jobId: string): Promise<boolean> {
    if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 36) return false;
    return (await this.db.knex('plugin_jobs').where({ plugin_id: pluginId, id: jobId }).delete()) > 0;
  }

  /** The plugin's jobs, soonest first. */
  async list(pluginId: string): Promise<ScheduledJobInfo[]> {
    const rows = await this.db
      .knex<JobRow>('plugin_jobs')
      .where({ plugin_id: pluginId })
      .orderBy([{ column: 'run_at' }, { column: 'id' }]);
    return rows.map(toInfo);
  }

  /** Up to `limit` due, unleased jobs that some host can run, soonest first. */
  async due(runnable: readonly RunnableJobs[], limit: number): Promise<JobRow[]> {
    const now = this.clock.now();
    return this.db
      .knex<JobRow>('plugin_jobs')
      .where('run_at', '<=', now)
      .andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<', now))
      .andWhere((w) => {
        for (const p of runnable) w.orWhere((q) => q.where('plugin_id', p.id).whereIn('name', p.names));
      })
      .orderBy('run_at')
      .limit(limit);
  }

  /** Takes the lease on a due, unleased job; resolves with the claimed row, or null if another host won. */
  async claim(id: string): Promise<JobRow | null> {
    const now = this.clock.now();
    const lockedUntil = now + this.leaseMs;
    const changed = await this.db
      .knex('plugin_jobs')
      .where({ id })
      .andWhere('run_at', '<=', now)
      .andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<', now))
      .update({ locked_by: this.hostId, locked_until: lockedUntil, attempt: this.db.knex.raw('attempt + 1') });
    if (changed !== 1) return null;
    const mine = { id, locked_by: this.hostId, locked_until: lockedUntil };
    return (await this.db.knex<JobRow>('plugin_jobs').where(mine).first()) ?? null;
  }

  /**
   * Extends the lease on a claimed run that is still going; false when this host no longer holds
   * it (the job was cancelled, or its lease ran out and another host claimed it). The row's
   * locked_until follows, since settling the run later looks the lease up by it.
   */
  async renew(row: JobRow): Promise<boolean> {
    const lockedUntil = this.clock.now() + this.leaseMs;
    if ((await this.mine(row).update({ locked_until: lockedUntil })) !== 1) return false;
    row.locked_until = lockedUntil;
    return true;
  }

  /** Forgets a claimed job: a one-off job that is done, or that will not be tried again. */
  async remove(row: JobRow): Promise<void> {
    await this.mine(row).delete();
  }

  /** Releases a claimed recurring job, due one interval after its last due time (or now, if that has passed). */
  async next(row: JobRow, lastError: string | null): Promise<void> {
    const runAt = Math.max(row.run_at + row.interval_ms!, this.clock.now());
    await this.mine(row).update({ run_at: runAt, attempt: 0, ...unlocked, last_error: lastError });
  }

  /** Releases a claimed one-off job that failed, due again `delayMs` from now. */
  async retry(row: JobRow, delayMs: number, lastError: string): Promise<void> {
    await this.mine(row).update({ run_at: this.clock.now() + delayMs, ...unlocked, last_error: lastError });
  }

  /** The job while this host still holds the lease it claimed it with (a cancelled job is simply gone). */
  private mine(row: JobRow): Knex.QueryBuilder {
    return this.db.knex('plugin_jobs').where({ id: row.id, locked_by: this.hostId, locked_until: row.locked_until });
  }

  private async insert(
    pluginId: string,
    name: string,
    runAt: number,
    intervalMs: number | null,
    payload: unknown,
    key: string | undefined,
    now: number,
    quota: SchedulerQuota,
  ): Promise<Scheduled> {
    checkName(name);
    checkDueTime(runAt);
    checkKey(key);
    const json = payloadJson(payload);
    const row: JobRow = {
      id: randomUUID(),
      plugin_id: pluginId,
      name,
      key: key ?? null,
      payload: json,
      run_at: runAt,
      interval_ms: intervalMs,
      attempt: 0,
      locked_by: null,
      locked_until: null,
      last_error: null,
      created_at: now,
      payload_bytes: Buffer.byteLength(json),
    };
    try {
      return await this.db.knex.transaction(async (trx) => {
        // The plugin's lock (its storage's, plugin-kv-usage.ts) makes the quota check and the insert one step.
        await new PluginKvUsage(this.db).lockIfInstalled(trx, pluginId);
        const existing = key === undefined ? undefined : await this.byKey(trx, pluginId, key);
        if (existing) return { job: toInfo(existing), created: false };
        await this.checkQuota(trx, row, quota);
        await trx('plugin_jobs').insert(row);
        return { job: toInfo(row), created: true };
      });
    } catch (err) {
      // Scheduled concurrently with the same key: the other call's job is the job.
      const existing =
        key !== undefined && isUniqueViolation(err) ? await this.byKey(this.db.knex, pluginId, key) : undefined;
      if (existing) return { job: toInfo(existing), created: false };
      throw err;
    }
  }

  /** Every stored job of the plugin is pending (one-off jobs are deleted once done), so all count. */
  private async checkQuota(trx: Knex.Transaction, row: JobRow, quota: SchedulerQuota): Promise<void> {
    const [used] = (await trx('plugin_jobs')
      .where({ plugin_id: row.plugin_id })
      .count({ jobs: '*' })
      .sum({ bytes: 'payload_bytes' })) as [{ jobs: number | string; bytes: number | string | null }];
    const jobs = Number(used?.jobs ?? 0);
    const bytes = Number(used?.bytes ?? 0);
    if (jobs + 1 > quota.maxJobs) {
      throw new SwitchboardError(
        'storage_quota_exceeded',
        `Scheduling "${row.name}" would make ${jobs + 1} pending jobs; the scheduler quota (maxJobs) is ${quota.maxJobs}. Cancel jobs or let them run first.`,
      );
    }
    if (bytes + row.payload_bytes > quota.quotaBytes) {
      throw new SwitchboardError(
        'storage_quota_exceeded',
        `Scheduling "${row.name}" (${row.payload_bytes} payload bytes) would make ${bytes + row.payload_bytes} bytes of pending payloads; the scheduler quota (quotaBytes) is ${quota.quotaBytes}.`,
      );
    }
  }

  private async byKey(db: Knex | Knex.Transaction, pluginId: string, key: string): Promise<JobRow | undefined> {
    return db<JobRow>('plugin_jobs').where({ plugin_id: pluginId, key }).first();
  }
}

function toInfo(row: JobRow): ScheduledJobInfo {
  return {
    id: row.id,
    name: row.name,
    key: row.key,
    runAt: new Date(Number(row.run_at)).toISOString(),
    intervalMs: row.interval_ms === null ? null : Number(row.interval_ms),
    payload: JSON.parse(row.payload) as unknown,
  };
}
