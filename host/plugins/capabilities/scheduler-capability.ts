import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { SchedulerCapability } from '../../../sdk/plugin/plugin-context.js';
import type { PluginRecord } from '../plugin-record.js';
import { checkName } from '../plugin-job-checks.js';
import type { SchedulerQuota } from '../plugin-job-store.js';
import type { PluginServices } from '../plugin-services.js';
import type { CapabilityGuard } from './capability-guard.js';
import { optionsArg } from './options-arg.js';

/**
 * Durable jobs, each call checked against the `scheduler` permission. Jobs are the plugin's
 * own: it lists and cancels only those. Scheduling and cancelling are audited when they change
 * something (a schedule() whose key already exists returns that job and changes nothing).
 * Pending jobs are limited by the scope's maxJobs and quotaBytes (read at each call, like storage's quota).
 */
export function schedulerCapability(
  guard: CapabilityGuard,
  record: PluginRecord,
  services: PluginServices,
): SchedulerCapability {
  const id = guard.pluginId;
  const scheduler = services.scheduler;
  const quota = (): SchedulerQuota => {
    const scope = guard.need('scheduler');
    return {
      maxJobs: scope.maxJobs,
      quotaBytes: scope.quotaBytes,
    };
  };
  return {
    handle(name, handler) {
      guard.need('scheduler');
      checkName(name);
      if (typeof handler !== 'function')
        throw new SwitchboardError('invalid_request', 'A job handler must be a function.');
      record.handlers.jobs.set(name, handler);
    },
    async schedule(name, options) {
      const { job, created } = await scheduler.schedule(id, name, optionsArg(options, '/1'), quota());
      return created
        ? guard.audited('scheduler', 'schedule', `${job.id} ${job.name}`, () => Promise.resolve(job))
        : job;
    },
    async every(name, intervalMs, options) {
      const { job, created } = await scheduler.every(id, name, intervalMs, optionsArg(options, '/2'), quota());
      return created ? guard.audited('scheduler', 'every', `${job.id} ${job.name}`, () => Promise.resolve(job)) : job;
    },
    async cancel(jobId) {
      guard.need('scheduler');
      const deleted = await scheduler.cancel(id, jobId);
      return deleted ? guard.audited('scheduler', 'cancel', String(jobId), () => Promise.resolve(true)) : false;
    },
    async list() {
      guard.need('scheduler');
      return scheduler.list(id);
    },
  };
}
