import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { ScheduledJob, ScheduledJobInfo } from '../../sdk/plugin/plugin-context.js';
import { Tokens } from '../container-tokens.js';
import type { Database } from '../db/open-database.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { Logger } from '../logging/logger.js';
import { PluginLogs } from './plugin-logs.js';
import { PluginRegistry } from './plugin-registry.js';
import { PluginStorage } from './plugin-storage.js';
import { withTimeout } from './with-timeout.js';

interface JobRow {
  id: string; plugin_id: string; name: string; key: string | null; payload: string; run_at: number;
  interval_ms: number | null; attempt: number; locked_by: string | null; locked_until: number | null;
  last_error: string | null; created_at: number; payload_bytes: number;
}

/** A plugin's scheduler quota (its `scheduler` scope): pending jobs, and their payload bytes in total. */
export interface SchedulerQuota { maxJobs: number; quotaBytes: number }

type Handler = (job: ScheduledJob) => void | Promise<void>;

export const JOB_NAME = /^[a-z][a-z0-9_.-]{0,63}$/;
const MAX_PAYLOAD_BYTES = 64 * 1024;
const MAX_KEY_LENGTH = 128;
const MIN_INTERVAL_MS = 1000;
const POLL_MS = 250;
/** A claimed run belongs to its host this long; a host that dies mid-run lets another retry after it. */
const LEASE_MS = 30_000;
/** Below the lease, so that a run finishes (or times out) while its host still holds it. */
const RUN_TIMEOUT_MS = 25_000;
const MAX_ATTEMPTS = 5;
const MAX_BACKOFF_MS = 5 * 60_000;
const BATCH = 50;
const MAX_IN_FLIGHT = 50;
const STOP_WAIT_MS = 10_000;
/** The latest instant a Date can hold. */
const MAX_TIME = 8.64e15;

/**
 * Durable jobs of plugins (table plugin_jobs). Every host polls for due jobs of its running
 * plugins that have a handler for them, and claims each due run with a conditional UPDATE that
 * takes a lease: only the host whose UPDATE changed the row runs it, so hosts sharing a database
 * never run the same due run twice. Jobs of stopped plugins, or without a handler, stay untouched.
 */
@injectable()
export class PluginScheduler {
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(Tokens.HostId) private readonly hostId: string,
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(PluginLogs) private readonly logs: PluginLogs,
    @inject(PluginStorage) private readonly storage: PluginStorage,
  ) {}

  // ---- what plugins ask for -------------------------------------------------------------

  /** A one-off job; with a key that exists for the plugin, the existing job, unchanged. */
  async schedule(pluginId: string, name: string, options: { at?: string | Date; delayMs?: number; payload?: unknown; key?: string }, quota: SchedulerQuota): Promise<{ job: ScheduledJobInfo; created: boolean }> {
    if (!options || typeof options !== 'object') throw new SwitchboardError('invalid_request', 'schedule() takes an options object: { at?, delayMs?, payload?, key? }.');
    const now = Date.now();
    let runAt = now;
    if (options.at !== undefined && options.delayMs !== undefined) throw new SwitchboardError('invalid_request', 'Give either at or delayMs, not both.');
    if (options.at !== undefined) {
      const at = options.at instanceof Date ? options.at.getTime() : typeof options.at === 'string' ? Date.parse(options.at) : NaN;
      if (!Number.isFinite(at)) throw new SwitchboardError('invalid_request', 'at must be a Date or an ISO 8601 date string.');
      runAt = Math.max(at, now);
    } else if (options.delayMs !== undefined) {
      if (typeof options.delayMs !== 'number' || !Number.isFinite(options.delayMs) || options.delayMs < 0) {
        throw new SwitchboardError('invalid_request', 'delayMs must be a non-negative number of milliseconds.');
      }
      runAt = now + Math.round(options.delayMs);
    }
    return this.insert(pluginId, name, runAt, null, options.payload, options.key, now, quota);
  }

  /** A recurring job, first due after intervalMs. */
  async every(pluginId: string, name: string, intervalMs: number, options: { payload?: unknown; key?: string }, quota: SchedulerQuota): Promise<{ job: ScheduledJobInfo; created: boolean }> {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < MIN_INTERVAL_MS) {
      throw new SwitchboardError('invalid_request', `intervalMs must be an integer of at least ${MIN_INTERVAL_MS}.`);
    }
    if (!options || typeof options !== 'object') throw new SwitchboardError('invalid_request', 'every() takes an options object: { payload?, key? }.');
    const now = Date.now();
    return this.insert(pluginId, name, now + intervalMs, intervalMs, options.payload, options.key, now, quota);
  }

  async cancel(pluginId: string, jobId: string): Promise<boolean> {
    if (typeof jobId !== 'string' || jobId.length === 0 || jobId.length > 36) return false;
    return (await this.db.knex('plugin_jobs').where({ plugin_id: pluginId, id: jobId }).delete()) > 0;
  }

  /** The plugin's jobs, soonest first. */
  async list(pluginId: string): Promise<ScheduledJobInfo[]> {
    const rows = (await this.db.knex<JobRow>('plugin_jobs').where({ plugin_id: pluginId }).orderBy([{ column: 'run_at' }, { column: 'id' }])) as JobRow[];
    return rows.map(toInfo);
  }

  // ---- running due jobs -----------------------------------------------------------------

  /**
   * Starts polling, and the storage sweep: this is the host's periodic plugin work, started once
   * plugins run and stopped before the database closes, so the sweep shares its lifetime.
   */
  start(): void {
    if (this.timer || this.stopped) return;
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
    this.storage.startSweeping();
  }

  /** Stops polling and the storage sweep, and waits (boundedly) for the runs in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await Promise.all([this.polling, this.storage.stopSweeping()]);
    const pending = Promise.allSettled([...this.inFlight]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([pending, new Promise<void>((r) => { timer = setTimeout(r, STOP_WAIT_MS); })]);
    clearTimeout(timer);
  }

  private poll(): void {
    if (this.polling || this.stopped) return;
    this.polling = this.claimDue()
      .catch((err: unknown) => this.log.error({ err }, 'scheduler poll failed'))
      .finally(() => { this.polling = null; });
  }

  private async claimDue(): Promise<void> {
    const wanted = this.registry.running()
      .map((r) => ({ id: r.id, names: [...r.handlers.jobs.keys()] }))
      .filter((p) => p.names.length > 0);
    if (wanted.length === 0 || this.inFlight.size >= MAX_IN_FLIGHT) return;
    const now = Date.now();
    const due = (await this.db.knex<JobRow>('plugin_jobs')
      .where('run_at', '<=', now)
      .andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<', now))
      .andWhere((w) => { for (const p of wanted) w.orWhere((q) => q.where('plugin_id', p.id).whereIn('name', p.names)); })
      .orderBy('run_at').limit(BATCH)) as JobRow[];
    for (const row of due) {
      if (this.stopped || this.inFlight.size >= MAX_IN_FLIGHT) return;
      const record = this.registry.get(row.plugin_id);
      const handler = record?.status === 'running' ? record.handlers.jobs.get(row.name) : undefined;
      if (!handler) continue;
      const claimed = await this.claim(row.id);
      if (!claimed) continue;
      const run = this.run(claimed, handler).catch((err: unknown) => this.log.error({ err, plugin: row.plugin_id, job: row.id }, 'scheduled job bookkeeping failed'));
      this.inFlight.add(run);
      void run.finally(() => this.inFlight.delete(run));
    }
  }

  /** Takes the lease on a due, unleased job; resolves with the claimed row, or null if another host won. */
  private async claim(id: string): Promise<JobRow | null> {
    const now = Date.now();
    const lockedUntil = now + LEASE_MS;
    const changed = await this.db.knex('plugin_jobs')
      .where({ id }).andWhere('run_at', '<=', now)
      .andWhere((w) => w.whereNull('locked_until').orWhere('locked_until', '<', now))
      .update({ locked_by: this.hostId, locked_until: lockedUntil, attempt: this.db.knex.raw('attempt + 1') });
    if (changed !== 1) return null;
    const row = (await this.db.knex<JobRow>('plugin_jobs').where({ id, locked_by: this.hostId, locked_until: lockedUntil }).first()) as JobRow | undefined;
    return row ?? null;
  }

  private async run(row: JobRow, handler: Handler): Promise<void> {
    const job: ScheduledJob = { id: row.id, name: row.name, payload: JSON.parse(row.payload) as unknown, runAt: new Date(row.run_at).toISOString(), attempt: row.attempt };
    // Only the holder of this very lease may settle the run (a cancelled job is simply gone).
    const mine = () => this.db.knex('plugin_jobs').where({ id: row.id, locked_by: this.hostId, locked_until: row.locked_until });
    let failure: unknown = null;
    try {
      await withTimeout(Promise.resolve().then(() => handler(structuredClone(job))), RUN_TIMEOUT_MS);
    } catch (err) {
      failure = err ?? new Error('the job handler threw a nullish value');
    }
    const now = Date.now();
    if (failure === null) {
      if (row.interval_ms === null) await mine().delete();
      else await mine().update({ run_at: Math.max(row.run_at + row.interval_ms, now), attempt: 0, locked_by: null, locked_until: null, last_error: null });
      return;
    }
    const message = (failure instanceof Error ? failure.message : String(failure)).slice(0, 2000);
    this.logs.recordFailure(row.plugin_id, `job "${row.name}" (${row.id}) failed on attempt ${row.attempt}`, failure);
    if (row.interval_ms !== null) {
      await mine().update({ run_at: Math.max(row.run_at + row.interval_ms, now), attempt: 0, locked_by: null, locked_until: null, last_error: message });
    } else if (row.attempt >= MAX_ATTEMPTS) {
      await mine().delete();
      this.logs.recordFailure(row.plugin_id, `job "${row.name}" (${row.id}) dropped after ${row.attempt} failed attempts`, failure);
    } else {
      const backoff = Math.min(2 ** row.attempt * 1000, MAX_BACKOFF_MS);
      await mine().update({ run_at: now + backoff, locked_by: null, locked_until: null, last_error: message });
    }
  }

  // ---- helpers ----------------------------------------------------------------------------

  private async insert(pluginId: string, name: string, runAt: number, intervalMs: number | null, payload: unknown, key: string | undefined, now: number, quota: SchedulerQuota): Promise<{ job: ScheduledJobInfo; created: boolean }> {
    checkName(name);
    if (runAt > MAX_TIME) throw new SwitchboardError('invalid_request', 'A job cannot be due that far in the future.');
    if (key !== undefined && (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH)) {
      throw new SwitchboardError('invalid_request', `A job key is a string of 1 to ${MAX_KEY_LENGTH} characters.`);
    }
    const json = serialize(payload);
    const row: JobRow = {
      id: randomUUID(), plugin_id: pluginId, name, key: key ?? null, payload: json, run_at: runAt, interval_ms: intervalMs,
      attempt: 0, locked_by: null, locked_until: null, last_error: null, created_at: now, payload_bytes: Buffer.byteLength(json),
    };
    try {
      return await this.db.knex.transaction(async (trx) => {
        // The plugin's row lock (as storage takes it) makes the quota check and the insert one step.
        if (this.db.kind === 'postgres') await trx('plugins').where({ id: pluginId }).forUpdate().select('id');
        const existing = key === undefined ? undefined : await this.byKey(trx, pluginId, key);
        if (existing) return { job: toInfo(existing), created: false };
        await this.checkQuota(trx, row, quota);
        await trx('plugin_jobs').insert(row);
        return { job: toInfo(row), created: true };
      });
    } catch (err) {
      // Scheduled concurrently with the same key: the other call's job is the job.
      const existing = key !== undefined && isUniqueViolation(err) ? await this.byKey(this.db.knex, pluginId, key) : undefined;
      if (existing) return { job: toInfo(existing), created: false };
      throw err;
    }
  }

  /** Every stored job of the plugin is pending (one-off jobs are deleted once done), so all count. */
  private async checkQuota(trx: Knex.Transaction, row: JobRow, quota: SchedulerQuota): Promise<void> {
    const [used] = (await trx('plugin_jobs').where({ plugin_id: row.plugin_id }).count({ jobs: '*' }).sum({ bytes: 'payload_bytes' })) as [{ jobs: number | string; bytes: number | string | null }];
    const jobs = Number(used?.jobs ?? 0);
    const bytes = Number(used?.bytes ?? 0);
    if (jobs + 1 > quota.maxJobs) {
      throw new SwitchboardError('storage_quota_exceeded', `Scheduling "${row.name}" would make ${jobs + 1} pending jobs; the scheduler quota (maxJobs) is ${quota.maxJobs}. Cancel jobs or let them run first.`);
    }
    if (bytes + row.payload_bytes > quota.quotaBytes) {
      throw new SwitchboardError('storage_quota_exceeded', `Scheduling "${row.name}" (${row.payload_bytes} payload bytes) would make ${bytes + row.payload_bytes} bytes of pending payloads; the scheduler quota (quotaBytes) is ${quota.quotaBytes}.`);
    }
  }

  private async byKey(db: Knex | Knex.Transaction, pluginId: string, key: string): Promise<JobRow | undefined> {
    return (await db<JobRow>('plugin_jobs').where({ plugin_id: pluginId, key }).first()) as JobRow | undefined;
  }
}

export function checkName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !JOB_NAME.test(name)) {
    throw new SwitchboardError('invalid_request', 'A job name is 1 to 64 characters of a-z, 0-9, "_", "." and "-", starting with a letter.');
  }
}

function serialize(payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload ?? null);
  } catch (err) {
    throw new SwitchboardError('invalid_request', `A job payload must be JSON: ${(err as Error).message}`);
  }
  if (json === undefined) throw new SwitchboardError('invalid_request', 'A job payload must be JSON (not a function).');
  if (Buffer.byteLength(json) > MAX_PAYLOAD_BYTES) {
    throw new SwitchboardError('payload_too_large', `A job payload is at most ${MAX_PAYLOAD_BYTES} bytes of JSON.`);
  }
  return json;
}

function toInfo(row: JobRow): ScheduledJobInfo {
  return {
    id: row.id, name: row.name, key: row.key, runAt: new Date(Number(row.run_at)).toISOString(),
    intervalMs: row.interval_ms === null ? null : Number(row.interval_ms), payload: JSON.parse(row.payload) as unknown,
  };
}
