import type { Blame, WorkerHandle } from './worker-handle.js';

/** How soon after an app's isolate was disposed for memory a crash of its worker is still put down to it. */
const CRASH_AFTERMATH_MS = 3_000;

/**
 * Who is held to account for a worker's end: whom the worker or the host named; else the only
 * app in it; else the app whose event was running; else an app whose isolate was disposed for memory
 * there just before (isolated-vm can take the process down moments after such a disposal). Else no one.
 */
export function blameFor(worker: WorkerHandle, ids: string[], why: string): Blame | null {
  if (worker.blame) return worker.blame;
  const reason = worker.killReason ?? 'worker_crash';
  const message = `Its worker process ${why}.`;
  if (ids.length === 1) return { app: ids[0]!, reason, message };
  const busy = worker.oldestBusyApp();
  if (busy) return { app: busy, reason, message: `${message} Its event was running.` };
  const recent =
    worker.lastCrash && Date.now() - worker.lastCrash.at < CRASH_AFTERMATH_MS ? worker.lastCrash.app : null;
  return recent
    ? { app: recent, reason, message: `${message} Its isolate had just been disposed there for memory.` }
    : null;
}
