import type { AppLimits } from '../../sdk/app/app-limits.js';
import { CAPABILITY_METHODS, type CapabilityMethod } from '../../sdk/app/capability-methods.js';

/**
 * Every message of the sandbox, in one place: host ↔ worker over the worker's IPC channel, and
 * worker ↔ guest runtime through the one dispatch into each isolate (two-way or one-way). Both carry JSON:
 * only copies cross, never references. Host → worker requests carry an `rid` that the worker
 * answers with `reply`; app → host capability calls carry a `callId` that the host answers with
 * `ret`. The guest runtime is bundled from this file too (guest-script.ts), so the names below
 * are the only spelling of each on both sides.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export function isLogLevel(value: unknown): value is LogLevel {
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error';
}

/** Whether a name from the other side of a boundary is a capability method (an own key only: never "toString"). */
export function isCapabilityMethod(name: unknown): name is CapabilityMethod {
  return typeof name === 'string' && Object.prototype.hasOwnProperty.call(CAPABILITY_METHODS, name);
}

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
  /** `payer`: the plugin whose service call this event serves; it is charged the event's CPU. */
  | { t: 'invoke'; rid: number; app: string; handler: number; args: unknown[]; payer?: string }
  | { t: 'unload'; rid: number; app: string }
  | { t: 'ret'; app: string; callId: number; ok: boolean; value?: unknown; error?: WireError }
  | { t: 'ping'; rid: number };

/** A host → worker request, before the worker handle numbers it. */
export type WorkerRequest = HostToWorker extends infer M ? (M extends { rid: number } ? Omit<M, 'rid'> : never) : never;

/** What the worker says about one of its apps: the supervisor's to handle. */
export type AppNotice =
  /** The worker's gate admitted it; the method is checked again in the host (a worker is not trusted blindly). */
  | { t: 'call'; app: string; callId: number; method: CapabilityMethod; args: unknown[] }
  | { t: 'log'; app: string; level: LogLevel; message: string; data?: unknown }
  | { t: 'release'; app: string; handler: number }
  /** The app's isolate is gone (disposed for memory, or by the watchdog); its events failed. */
  | { t: 'crashed'; app: string; reason: AppFailureReason; message: string; threadBusy: boolean }
  /**
   * The app's code holds an isolate thread that disposal could not free (a builtin that ignores
   * termination): only the worker's end frees it, and the app is to blame for that end.
   */
  | { t: 'stuck'; app: string };

/** What the worker says about itself and its requests: the worker handle's own to handle. */
export type WorkerNotice =
  | { t: 'reply'; rid: number; ok: boolean; value?: unknown; error?: WireError }
  | { t: 'ready' }
  /** The worker cannot run apps at all (isolated-vm did not load); it ends after this. */
  | { t: 'fatal'; message: string };

export type WorkerToHost = AppNotice | WorkerNotice;

export type AppFailureReason =
  | 'error'
  | 'cpu_limit'
  | 'cpu_minute_limit'
  | 'timeout'
  | 'memory'
  | 'pending_limit'
  | 'worker_crash'
  | 'worker_memory'
  | 'unresponsive'
  | 'start_failed'
  /** A caller of the app's services used its share of the app's CPU: its call is refused, and the app did not fail. */
  | 'caller_share'
  /** The event's deadline passed before it started, behind the app's other events: not the app misbehaving. */
  | 'overloaded'
  /** The app's isolate was gone when the event came (it is restarting): not run, and no failure of the app. */
  | 'restarting';

/** An error as it crosses a boundary: no stack, no host paths. */
export interface WireError {
  name: string;
  /** A catalog code, or a plugin's own code when `status` is set. */
  code?: string;
  message: string;
  permission?: string;
  /** Set only for a plugin's own error (a PluginError): its HTTP status, 400–599. */
  status?: number;
  /**
   * A SwitchboardError's details, or a PluginError's (its own plain object, when `status` is
   * set); at most BOUNDARY_LIMITS.errorDetailsChars of JSON.
   */
  details?: { path: string; message: string }[] | Record<string, unknown>;
  /** Why the sandbox refused or stopped this, when it did. */
  reason?: AppFailureReason;
  /** When a refused caller may call again (reason `caller_share`). */
  retryAfterMs?: number;
  /**
   * On a failed event: the app's own refusal (a PluginError, or a user SwitchboardError it
   * threw), for the caller. The event failed, but the app did not: it does not count against it.
   */
  refusal?: WireError;
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
export interface LastWords {
  blame: string;
  reason: AppFailureReason;
  message: string;
}

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
export interface Batch<M> {
  t: 'batch';
  messages: M[];
}

/**
 * The globals the worker sets in a new isolate for the guest runtime, which takes them off again
 * before the app's bundle runs.
 */
export const GUEST_GLOBALS = {
  /**
   * The dispatch callback, two-way: (method, JSON text of the arguments, the id the runtime gave
   * a capability call) → JSON text of a SendReply.
   */
  send: '__sb_send',
  /**
   * The same dispatch, one-way: the isolate goes on without waiting for the worker's thread. A
   * call refused this way is answered through a `resolve` op.
   */
  post: '__sb_post',
  /** The AppBoot, as JSON text. */
  boot: '__sb_boot',
  /** Where the runtime leaves its entry points for the worker to take (guest-script.ts). */
  runtime: '__sb_runtime',
} as const;

/**
 * What one entry into an isolate does, in order: several queued together cost one trip to the
 * isolate's thread. A capability call's answer is `resolve`d by the id the runtime gave the call.
 */
export type GuestOp =
  | [op: 'start', eventId: number]
  | [op: 'stop', eventId: number]
  | [op: 'invoke', eventId: number, handlerId: number, argsJson: string]
  | [op: 'resolve', callId: number, ok: boolean, json: string];

/** The guest runtime's entry point, which the worker calls into the isolate. */
export interface GuestEntryPoints {
  run(ops: GuestOp[]): void;
}

/**
 * How much one entry may send one-way (GUEST_GLOBALS.post). Posts queue on the worker's thread
 * while the isolate runs on, so an entry's share is bounded; past it, messages go two-way, at the
 * pace the worker takes them.
 */
export const ONE_WAY_PER_ENTRY = { messages: 64, chars: 262_144 } as const;

/** The arguments of the runtime's own messages through the dispatch callback (not capability calls). */
export interface RuntimeArgs {
  /** An event settled: its JSON result, or the WireError it failed with. */
  done: [eventId: number, ok: boolean, value: unknown];
  log: [level: LogLevel, message: string, data: unknown];
  /** The app dropped a subscription: the host lets go of its handler. */
  release: [handler: number];
}
export type RuntimeKind = keyof RuntimeArgs;

/**
 * The runtime's messages by their name on the wire. A `$` keeps them apart from capability
 * methods, which are all "<area>.<method>".
 */
export const RUNTIME_METHODS: { readonly [K in RuntimeKind]: `$${K}` } = {
  done: '$done',
  log: '$log',
  release: '$release',
};

/** What the worker's gate lets out of an isolate: a runtime message, or a capability call with its id. */
export type GuestMessage =
  | { t: 'done'; eventId: number; ok: boolean; value: unknown }
  | { t: 'log'; level: LogLevel; message: string; data: unknown }
  | { t: 'release'; handler: number }
  /** `chars`: the length of the arguments' JSON text, as the app sent it. */
  | { t: 'call'; callId: number; method: CapabilityMethod; args: unknown[]; chars: number };

/** The two-way dispatch's answer: why the message was refused, or `{}`. */
export interface SendReply {
  error?: WireError;
}

/** The last argument of a handler registration, in place of the function: the id the host calls it back by. */
export const HANDLER_MARKER = '$handler';
export type HandlerRef = { [HANDLER_MARKER]: number };

/**
 * One handler for each type of a message union (each also given `A`, what the receiver knows of
 * the sender): a type added to the union does not compile until it has one.
 */
export type Handlers<M extends { t: string }, R = void, A extends unknown[] = []> = {
  [K in M['t']]: (message: Extract<M, { t: K }>, ...context: A) => R;
};

/** Whether `handlers` has a handler of its own for the message's type (a message from a worker is not trusted blindly). */
export function handles<M extends { t: string }, R, A extends unknown[]>(
  handlers: Handlers<M, R, A>,
  message: { t: unknown },
): message is M {
  return typeof message.t === 'string' && Object.prototype.hasOwnProperty.call(handlers, message.t);
}

/** Hands a message to the handler of its type. */
export function dispatchTo<M extends { t: string }, R, A extends unknown[]>(
  handlers: Handlers<M, R, A>,
  message: M,
  ...context: A
): R {
  const t: unknown = message.t;
  if (!handles(handlers, message)) throw new TypeError(`There is no message type ${String(t).slice(0, 64)}.`);
  // TypeScript cannot pair a handler with the message of the same `t` inside a generic body;
  // Handlers<M> is what keeps the two in step for every caller.
  const handler = handlers[message.t as M['t']] as (message: M, ...context: A) => R;
  return handler(message, ...context);
}
