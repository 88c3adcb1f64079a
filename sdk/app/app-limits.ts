/**
 * Limits of one sandboxed app. The manifest's `limits` asks for them; the operator's
 * sandbox.maxLimits caps each one; what is left unset gets the default below.
 */
export interface AppLimits {
  /** The isolate's heap limit, in MiB. */
  memoryMb: number;
  /** CPU time one event may use, in ms (each entry into the isolate is also cut off at this). */
  cpuMsPerEvent: number;
  /** CPU time per rolling minute, in ms; past it, events are refused until the minute moves on. */
  cpuMsPerMinute: number;
  /** Wall-clock deadline of one event, including the time spent awaiting host calls, in ms. */
  eventTimeoutMs: number;
  /** Host calls in flight at once; more fail at once with sandbox_limit. */
  maxPendingCalls: number;
  /**
   * Messages sent, forwarded or edited, pins, pushes, and groups made or changed, per minute,
   * together (messages.send, messages.forward, messages.edit, messages.pin, messages.unpin,
   * interactive.send, notifications.send, conversations.createGroup, conversations.addMembers,
   * conversations.removeMember): each puts something in front of people.
   */
  sendsPerMinute: number;
  /**
   * Host calls per minute made while none of the app's events is open (work an event left
   * running: detached promises, loops after an await); more fail with sandbox_limit.
   */
  detachedCallsPerMinute: number;
  /**
   * crypto.hashSecret and crypto.verifySecret calls per minute: Argon2 is costly on purpose, and
   * the host, not the app's isolate, spends it; more fail with sandbox_limit.
   */
  secretsPerMinute: number;
  /**
   * MiB of arguments (UTF-8 of their JSON) the app's host calls carry per minute: reading,
   * checking and storing them costs the worker and the host in proportion to their size, and a
   * large write holds SQLite's one writer; more fail with sandbox_limit.
   */
  callMbPerMinute: number;
}

export const DEFAULT_APP_LIMITS: AppLimits = {
  memoryMb: 32,
  cpuMsPerEvent: 200,
  cpuMsPerMinute: 5_000,
  eventTimeoutMs: 5_000,
  maxPendingCalls: 64,
  sendsPerMinute: 120,
  detachedCallsPerMinute: 600,
  secretsPerMinute: 60,
  callMbPerMinute: 16,
};
