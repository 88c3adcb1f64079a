import type { AppLimits } from '../../sdk/app/app-limits.js';

/**
 * The messages between the host and a sandbox worker process, over its IPC channel as JSON:
 * only copies cross, never references. Host → worker requests carry an `rid` that the worker
 * answers with `reply`; app → host capability calls carry a `callId` that the host answers with
 * `ret`.
 */

/** What the guest runtime starts with (copied into the isolate as JSON). */
export interface AppBoot {
  plugin: { id: string; version: string };
  self: unknown;
  permissions: { granted: string[]; refused: string[] };
  settings: unknown;
  maxPendingCalls: number;
}

export type HostToWorker =
  /** The guest runtime's script, once, first. */
  | { t: 'init'; guest: string }
  | { t: 'load'; rid: number; app: string; code: string; boot: AppBoot; limits: AppLimits }
  | { t: 'invoke'; rid: number; app: string; handler: number; args: unknown[] }
  | { t: 'unload'; rid: number; app: string }
  | { t: 'ret'; app: string; callId: number; ok: boolean; value?: unknown; error?: WireError }
  | { t: 'ping'; rid: number };

export type WorkerToHost =
  | { t: 'reply'; rid: number; ok: boolean; value?: unknown; error?: WireError }
  | { t: 'call'; app: string; callId: number; method: string; args: unknown[] }
  | { t: 'log'; app: string; level: 'debug' | 'info' | 'warn' | 'error'; message: string; data?: unknown }
  | { t: 'release'; app: string; handler: number }
  /** The app's isolate is gone (disposed for memory, or by the watchdog); its events failed. */
  | { t: 'crashed'; app: string; reason: AppFailureReason; message: string; threadBusy: boolean }
  /**
   * The app's code holds an isolate thread that disposal could not free (a builtin that ignores
   * termination): only the worker's end frees it, and the app is to blame for that end.
   */
  | { t: 'stuck'; app: string }
  | { t: 'ready' }
  /** The worker cannot run apps at all (isolated-vm did not load); it ends after this. */
  | { t: 'fatal'; message: string };

export type AppFailureReason =
  | 'error' | 'cpu_limit' | 'cpu_minute_limit' | 'timeout' | 'memory' | 'pending_limit'
  | 'worker_crash' | 'worker_memory' | 'unresponsive' | 'start_failed';

/** An error as it crosses a boundary: no stack, no host paths. */
export interface WireError {
  name: string;
  code?: string;
  message: string;
  permission?: string;
  details?: { path: string; message: string }[];
  /** Why the sandbox refused or stopped this, when it did. */
  reason?: AppFailureReason;
}

export interface AppStats {
  app: string;
  cpuMs: number;
  cpuMsLastMinute: number;
  /** The isolate's JavaScript heap. */
  heapUsedBytes: number;
  /** Memory outside the heap that the isolate holds (ArrayBuffers); it counts against the same limit. */
  externalBytes: number;
  heapLimitBytes: number;
  events: number;
  failedEvents: number;
  pendingCalls: number;
}

/** What a dying worker writes on its last-words pipe, synchronously, before it ends itself. */
export interface LastWords { blame: string; reason: AppFailureReason; message: string }

/** The worker's file descriptor for last words (after stdin, stdout, stderr and the IPC channel). */
export const LAST_WORDS_FD = 4;

export interface WorkerStats {
  pid: number;
  rssBytes: number;
  apps: AppStats[];
}

/**
 * Messages sent in the same turn travel as one IPC write (a syscall each is what an IPC message
 * costs most); a lone message travels as itself.
 */
export interface Batch<M> { t: 'batch'; messages: M[] }
