/** The scheduler capability: durable one-off and recurring jobs. Part of PluginContext (../plugin-context.ts). */

export interface ScheduledJob {
  readonly id: string;
  readonly name: string;
  readonly payload: unknown;
  /** When this run was due. */
  readonly runAt: string;
  /** 1 for the first try of this run. */
  readonly attempt: number;
}

export interface ScheduledJobInfo {
  readonly id: string;
  readonly name: string;
  readonly key: string | null;
  readonly runAt: string;
  readonly intervalMs: number | null;
  readonly payload: unknown;
}

/**
 * permission scheduler. Jobs are stored in the database, so they survive restarts; each due run
 * is claimed by one host and runs once (a host that dies mid-run lets another retry it after a
 * lease, so handlers should be idempotent per job id and runAt).
 */
export interface SchedulerCapability {
  /** The handler for a job name; register it in start(). */
  handle(name: string, handler: (job: ScheduledJob) => void | Promise<void>): void;
  /**
   * A one-off job at `at` or after `delayMs` (now if neither). A `key` (1-128 characters) makes it
   * idempotent: the same key returns the existing job.
   */
  schedule(
    name: string,
    options?: { at?: string | Date; delayMs?: number; payload?: unknown; key?: string },
  ): Promise<ScheduledJobInfo>;
  /** A recurring job, first due after `intervalMs` (at least 1000). */
  every(name: string, intervalMs: number, options?: { payload?: unknown; key?: string }): Promise<ScheduledJobInfo>;
  cancel(jobId: string): Promise<boolean>;
  list(): Promise<ScheduledJobInfo[]>;
}
