import { inject, injectable } from 'tsyringe';
import type { ScheduledJob } from '../../sdk/plugin/plugin-context.js';
import { Tokens } from '../core/container-tokens.js';
import type { Logger } from '../logging/logger.js';
import { PluginJobStore, type JobRow } from './plugin-job-store.js';
import { failureMessage, PluginLogs } from './plugin-logs.js';
import { PluginRegistry } from './plugin-registry.js';
import { PluginStorage } from './plugin-storage.js';
import { callPlugin } from './call-plugin.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

type Handler = (job: ScheduledJob) => void | Promise<void>;

const POLL_MS = 250;
/** A run's host renews its lease until then; a run still going is settled as failed (and retried). */
const RUN_TIMEOUT_MS = 25_000;
const MAX_ATTEMPTS = 5;
const MAX_BACKOFF_MS = 5 * 60_000;
const BATCH = 50;
const MAX_IN_FLIGHT = 50;
/**
 * A plugin's share of those: one whose runs hang (an app's handler that never settles holds its
 * run until its deadline) must leave room for its neighbours' jobs, not hold them all.
 */
const MAX_IN_FLIGHT_PER_PLUGIN = 10;
const STOP_WAIT_MS = 10_000;

/**
 * Runs the due jobs of plugins. Every host polls the job store for due jobs of its running plugins
 * that have a handler for them, claims each, runs the handler, and settles the run: a one-off job
 * is forgotten once done, retried with backoff when it fails, and dropped after MAX_ATTEMPTS; a
 * recurring job is due again one interval on. While a run lasts its host renews the lease every
 * third of plugins.jobLeaseMs, so only a dead (or stopped) host's runs are claimed again by
 * others. Jobs of stopped plugins, or without a handler, stay untouched. The polling pace is real
 * time; due times are on the host's clock (the store's).
 */
@injectable()
export class PluginScheduler {
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private stopped = false;
  private readonly inFlight = new Set<Promise<void>>();
  /** Runs in flight by plugin id (each also in inFlight). */
  private readonly inFlightOf = new Map<string, number>();
  /** Ends the lease renewal of each run in flight. */
  private readonly renewals = new Set<() => Promise<void>>();

  constructor(
    @inject(PluginJobStore) private readonly jobs: PluginJobStore,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(PluginLogs) private readonly logs: PluginLogs,
    @inject(PluginStorage) private readonly storage: PluginStorage,
  ) {}

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
    await Promise.race([
      pending,
      new Promise<void>((r) => {
        timer = setTimeout(r, STOP_WAIT_MS);
      }),
    ]);
    clearTimeout(timer);
    // Runs still going past the wait lose their leases, so that another host runs them again.
    await Promise.all([...this.renewals].map((end) => end()));
  }

  private poll(): void {
    if (this.polling || this.stopped) return;
    this.polling = this.claimDue()
      .catch((err: unknown) => this.log.error({ err }, 'scheduler poll failed'))
      .finally(() => {
        this.polling = null;
      });
  }

  private async claimDue(): Promise<void> {
    const runnable = this.registry
      .running()
      .map((r) => ({ id: r.id, names: [...r.handlers.jobs.keys()] }))
      .filter((p) => p.names.length > 0 && this.hasRoom(p.id));
    if (runnable.length === 0 || this.inFlight.size >= MAX_IN_FLIGHT) return;
    const due = await this.jobs.due(runnable, BATCH);
    for (const row of due) {
      if (this.stopped || this.inFlight.size >= MAX_IN_FLIGHT) return;
      const record = this.registry.get(row.plugin_id);
      const handler = record?.status === 'running' ? record.handlers.jobs.get(row.name) : undefined;
      if (!handler || !this.hasRoom(row.plugin_id)) continue;
      const claimed = await this.jobs.claim(row.id);
      if (!claimed) continue;
      const run = this.run(claimed, handler).catch((err: unknown) =>
        this.log.error({ err, plugin: row.plugin_id, job: row.id }, 'scheduled job bookkeeping failed'),
      );
      this.inFlight.add(run);
      this.inFlightOf.set(row.plugin_id, (this.inFlightOf.get(row.plugin_id) ?? 0) + 1);
      void run.finally(() => {
        this.inFlight.delete(run);
        const left = this.inFlightOf.get(row.plugin_id)! - 1;
        if (left === 0) this.inFlightOf.delete(row.plugin_id);
        else this.inFlightOf.set(row.plugin_id, left);
      });
    }
  }

  private hasRoom(pluginId: string): boolean {
    return (this.inFlightOf.get(pluginId) ?? 0) < MAX_IN_FLIGHT_PER_PLUGIN;
  }

  private async run(row: JobRow, handler: Handler): Promise<void> {
    const job: ScheduledJob = {
      id: row.id,
      name: row.name,
      payload: JSON.parse(row.payload) as unknown,
      runAt: new Date(row.run_at).toISOString(),
      attempt: row.attempt,
    };
    let failure: unknown = null;
    const endRenewal = this.keepLeased(row);
    try {
      // No one waits for a job's answer: every throw is the plugin's failure, logged by callPlugin.
      const what = `job "${row.name}" (${row.id}), attempt ${row.attempt},`;
      await callPlugin(
        this.logs,
        { pluginId: row.plugin_id, kind: 'job', what, deadlineMs: RUN_TIMEOUT_MS, hasCaller: false },
        () => handler(structuredClone(job)),
      );
    } catch (err) {
      failure = err;
    }
    // Settling finds the run by its lease: no renewal may change it from here on.
    await endRenewal();
    if (failure === null) {
      if (row.interval_ms === null) await this.jobs.remove(row);
      else await this.jobs.next(row, null);
      return;
    }
    // The job keeps the plugin's own words (callPlugin's error carries them as its cause).
    const cause = failure instanceof SwitchboardError && failure.cause !== undefined ? failure.cause : failure;
    const message = failureMessage(cause).slice(0, 2000);
    if (row.interval_ms !== null) {
      await this.jobs.next(row, message);
    } else if (row.attempt >= MAX_ATTEMPTS) {
      await this.jobs.remove(row);
      const what = `job "${row.name}" (${row.id}) dropped after ${row.attempt} failed attempts`;
      this.logs.recordFailure(row.plugin_id, what, cause);
    } else {
      await this.jobs.retry(row, Math.min(2 ** row.attempt * 1000, MAX_BACKOFF_MS), message);
    }
  }

  /** Renews the run's lease every third of it until the returned function is called (and resolves). */
  private keepLeased(row: JobRow): () => Promise<void> {
    let renewing: Promise<unknown> = Promise.resolve();
    const timer = setInterval(() => {
      renewing = renewing
        .then(async () => {
          if (await this.jobs.renew(row)) return;
          clearInterval(timer);
          // Cancelled meanwhile, or claimed by another host after a renewal came too late.
          this.log.warn(
            { plugin: row.plugin_id, job: row.id },
            'a running scheduled job is no longer leased to this host',
          );
        })
        .catch((err: unknown) =>
          this.log.warn({ err, plugin: row.plugin_id, job: row.id }, 'scheduled job lease renewal failed'),
        );
    }, this.jobs.leaseMs / 3);
    timer.unref();
    const end = async () => {
      clearInterval(timer);
      this.renewals.delete(end);
      await renewing;
    };
    this.renewals.add(end);
    return end;
  }
}
