import type { AppLimits } from '../../../sdk/app/app-limits.js';
import { TokenBucket } from '../../core/token-bucket.js';
import { boundedDataProblem } from '../bounded-data.js';
import { BOUNDARY_LIMITS } from '../../../sdk/app/boundary-limits.js';
import {
  RUNTIME_METHODS,
  isCapabilityMethod,
  isLogLevel,
  type AppFailureReason,
  type GuestMessage,
  type RuntimeKind,
  type SendReply,
  type WireError,
} from '../rpc-protocol.js';

const LOG_DATA_CHARS = 8_192;
const MIB = 1_048_576;

/** Each runtime message read from its arguments (`chars`: the length of their JSON text). */
const RUNTIME_MESSAGES: { [K in RuntimeKind]: (args: unknown[], chars: number) => Extract<GuestMessage, { t: K }> } = {
  done: (args) => ({ t: 'done', eventId: Number(args[0]), ok: args[1] === true, value: args[2] }),
  // The host keeps a few KiB of a line's data; more need not cross the IPC channel at all.
  log: (args, chars) => ({
    t: 'log',
    level: isLogLevel(args[0]) ? args[0] : 'info',
    message: String(args[1]).slice(0, 2000),
    data: chars > LOG_DATA_CHARS ? { truncated: true, chars } : args[2],
  }),
  release: (args) => ({ t: 'release', handler: Number(args[0]) }),
};

const RUNTIME_KINDS = new Map<string, RuntimeKind>(
  (Object.keys(RUNTIME_MESSAGES) as RuntimeKind[]).map((kind) => [RUNTIME_METHODS[kind], kind]),
);

/** What the isolate around the gate tells it about the app's state. */
export interface GateState {
  /** Any of the app's events still open. */
  eventOpen(): boolean;
  /** The app spent its CPU budget for the minute. */
  cpuSpent(): boolean;
}

/**
 * The worker's check of everything an app sends out of its isolate, before anything is
 * forwarded: the text's size, then the parsed value's depth, count and keys, whatever the app
 * did to its own globals to shape that text. Capability calls are also bounded in number: in
 * flight at once, and per minute for calls made while no event of the app is open.
 */
export class CallGate {
  /** Calls in flight, each with the UTF-8 bytes of its arguments. */
  readonly pending = new Map<number, number>();
  private pendingBytes = 0;
  private readonly detached: TokenBucket;
  /** The UTF-8 bytes of arguments the app's calls may carry: 4 MiB at once, callMbPerMinute a minute. */
  private readonly carried: TokenBucket;

  constructor(
    private readonly limits: AppLimits,
    private readonly state: GateState,
  ) {
    this.detached = new TokenBucket(limits.detachedCallsPerMinute / 60, limits.detachedCallsPerMinute);
    // Bursts as large as the bytes in flight may be (a neighbour sees one large call, not a
    // minute's worth back to back), then the minute's rate.
    this.carried = new TokenBucket((limits.callMbPerMinute * MIB) / 60, BOUNDARY_LIMITS.maxPendingBytes);
  }

  /**
   * The admitted message, or the refusal the isolate gets back as JSON. A capability call comes
   * with the id the runtime gave it (`callId`), which its answer or its refusal will carry; a
   * call without a usable one (not a fresh positive integer) is refused with no id to answer.
   */
  admit(method: unknown, payload: unknown, callId?: unknown): GuestMessage | Refusal {
    const id =
      Number.isSafeInteger(callId) && (callId as number) > 0 && !this.pending.has(callId as number)
        ? (callId as number)
        : undefined;
    const admitted = this.check(method, payload, id);
    return 'error' in admitted && id !== undefined && isCapabilityMethod(method)
      ? { ...admitted, callId: id }
      : admitted;
  }

  private check(method: unknown, payload: unknown, callId: number | undefined): GuestMessage | Refusal {
    if (typeof method !== 'string' || typeof payload !== 'string') return refuse('error', 'Malformed call.');
    if (payload.length > BOUNDARY_LIMITS.maxChars + BOUNDARY_LIMITS.frame.chars) {
      return refuse(
        'error',
        `The call's arguments are ${payload.length} characters of JSON; at most ${BOUNDARY_LIMITS.maxChars} cross.`,
      );
    }
    const hostCall = isCapabilityMethod(method) && callId !== undefined;
    // The buckets' clock, read once for all of this check (and only for a host call, the only
    // message they count): every message an app sends out passes here.
    const now = hostCall ? Date.now() : 0;
    // A call the bytes in flight or the minute's allowance would refuse is refused before its text
    // is read: its UTF-8 is at least its length, and reading megabytes only to refuse them held up
    // the worker's other apps.
    if (hostCall) {
      const refused = this.bytesRefusal(payload.length) ?? this.carriedRefusal(payload.length, now);
      if (refused) return refused;
    }
    let args: unknown;
    try {
      args = JSON.parse(payload);
    } catch {
      // Not JSON: the refusal says so, and the parser's message adds nothing for the app.
      return refuse('error', 'The call could not be read.');
    }
    if (!Array.isArray(args)) return refuse('error', 'Malformed call.');
    const problem = boundedDataProblem(args);
    if (problem) return refuse('error', problem);
    const kind = RUNTIME_KINDS.get(method);
    if (kind) return RUNTIME_MESSAGES[kind](args, payload.length);
    if (!isCapabilityMethod(method)) return refuse('error', `There is no capability ${method.slice(0, 64)}.`);
    if (callId === undefined) return refuse('error', 'Malformed call.');
    const bytes = Buffer.byteLength(payload);
    const refused = this.refusalOfCall(bytes, now);
    if (refused) return refused;
    this.pending.set(callId, bytes);
    this.pendingBytes += bytes;
    return { t: 'call', callId, method, args, chars: payload.length };
  }

  /** One call alone always goes; with others in flight, their arguments carry at most maxPendingBytes. */
  private bytesRefusal(bytes: number): Refusal | null {
    if (this.pending.size === 0 || this.pendingBytes + bytes <= BOUNDARY_LIMITS.maxPendingBytes) return null;
    return refuse(
      'pending_limit',
      `The app's host calls in flight carry ${this.pendingBytes} bytes of arguments; with this call's (at least ${bytes}) they would pass ${BOUNDARY_LIMITS.maxPendingBytes}.`,
      'sandbox_limit',
    );
  }

  /** Past the arguments the app's calls may carry a minute. */
  private carriedRefusal(bytes: number, now: number): Refusal | null {
    if (this.carried.holds(bytes, now)) return null;
    const refusal = refuse(
      'pending_limit',
      `The app's host calls may carry ${this.limits.callMbPerMinute} MiB of arguments a minute; this call's ${bytes} bytes would pass it.`,
      'sandbox_limit',
    );
    refusal.error.retryAfterMs = this.carried.retryAfterMs(bytes);
    return refusal;
  }

  /** The call was answered (or will never be); false if it was not in flight. */
  settled(callId: number): boolean {
    const bytes = this.pending.get(callId);
    if (bytes === undefined) return false;
    this.pending.delete(callId);
    this.pendingBytes -= bytes;
    return true;
  }

  /** The isolate is gone: no call will be answered. */
  clear(): void {
    this.pending.clear();
    this.pendingBytes = 0;
  }

  /** Why a call may not go out now, if it may not: limits on calls in flight and on detached work. */
  private refusalOfCall(bytes: number, now: number): Refusal | null {
    if (this.pending.size >= this.limits.maxPendingCalls) {
      return refuse(
        'pending_limit',
        `The app has ${this.pending.size} host calls in flight, its limit.`,
        'sandbox_limit',
      );
    }
    const refused = this.bytesRefusal(bytes) ?? this.carriedRefusal(bytes, now) ?? this.detachedRefusal(now);
    if (refused) return refused;
    // Spent once nothing refuses the call (the bucket held them at this same `now`).
    this.carried.take(now, bytes);
    return null;
  }

  /** Work outside the app's events: not past the minute's CPU, and within its own calls a minute (taking one). */
  private detachedRefusal(now: number): Refusal | null {
    if (!this.state.eventOpen()) {
      if (this.state.cpuSpent())
        return refuse(
          'cpu_minute_limit',
          'The app spent its CPU budget for this minute; work outside its events may not call the host.',
          'sandbox_limit',
        );
      if (!this.detached.take(now)) {
        return refuse(
          'pending_limit',
          `Work outside the app's events may make ${this.limits.detachedCallsPerMinute} host calls a minute.`,
          'sandbox_limit',
        );
      }
    }
    return null;
  }
}

/** A message the gate did not let out: why, and the call it answers (if any). */
export interface Refusal {
  error: WireError;
  callId?: number;
}

export function refuse(reason: AppFailureReason, message: string, code = 'invalid_request'): Refusal {
  return { error: { name: 'SwitchboardError', code, message, reason } };
}

/** A refusal as the two-way dispatch answers it. */
export function refusalReply(refusal: Refusal): string {
  return JSON.stringify({ error: refusal.error } satisfies SendReply);
}
