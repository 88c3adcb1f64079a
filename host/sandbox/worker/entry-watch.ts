import { NS_PER_MS } from './cpu-ledger.js';

/** After a disposal, how long an entry may take to give its thread back before the worker must end. */
export const STUCK_GRACE_MS = 1_000;
/**
 * isolated-vm's own cut-off counts from when the entry is queued, waiting for a free isolate
 * thread included; it stays only as a backstop, far enough out that queueing never meets it.
 */
export function wallBackstopMs(budgetMs: number): number {
  return budgetMs * 20 + 5_000;
}

export interface EntryWatchOptions {
  /** The isolate's CPU time now, or null once it is gone. */
  cpuNow(): bigint | null;
  budgetMs: number;
  /** The entry used its CPU budget: stop it (dispose the isolate). */
  overBudget(): void;
  /** The isolate was disposed under the running entry (its memory limit), and the entry has not returned. */
  disposed(): void;
  /** Disposal did not give the thread back (a builtin that ignores termination). */
  stuck(): void;
}

/** The CPU time of this whole process (all its threads), in ns. */
function processCpu(): bigint {
  const { user, system } = process.cpuUsage();
  return BigInt(user + system) * 1000n;
}

/**
 * Watches one entry into an isolate by the time it spends running there (isolated-vm's cpuTime,
 * which starts once the entry has an isolate thread: time queued behind other apps' entries is
 * not the app's to pay for). A timer checks when the budget could first be spent, and again for
 * what is left, until the entry returns or spends it; and it notices an entry whose thread a
 * disposal could not free. While an entry runs, isolated-vm counts it by the wall clock (its
 * thread's CPU clock is read only when it stops): on a loaded machine a paused thread would seem
 * to spend its budget. The process's own CPU time bounds it, as the isolate's thread is one of
 * the process's.
 */
export function watchEntry(options: EntryWatchOptions): { done(): void } {
  const start = options.cpuNow() ?? 0n;
  const processStart = processCpu();
  const budget = BigInt(options.budgetMs) * NS_PER_MS;
  let finished = false;
  let timer: NodeJS.Timeout;
  const check = (): void => {
    if (finished) return;
    const now = options.cpuNow();
    if (now === null) {
      // Disposed (for memory, say) while the entry has not returned: a builtin that ignores
      // termination may hold the thread, and only the worker's end frees it.
      options.disposed();
      timer = setTimeout(() => {
        if (!finished) options.stuck();
      }, STUCK_GRACE_MS);
      return;
    }
    const byProcess = processCpu() - processStart;
    const used = now - start < byProcess ? now - start : byProcess;
    if (used < budget) {
      timer = setTimeout(check, Math.max(1, Number((budget - used) / NS_PER_MS)));
      return;
    }
    options.overBudget();
    timer = setTimeout(() => {
      if (!finished) options.stuck();
    }, STUCK_GRACE_MS);
  };
  timer = setTimeout(check, options.budgetMs);
  return {
    done(): void {
      finished = true;
      clearTimeout(timer);
    },
  };
}
