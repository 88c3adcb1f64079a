/**
 * The bounds on one value crossing the sandbox boundary, in either check: the guest's serializer
 * inside the isolate and the worker's check of the text it receives. One source, so the two
 * agree on what an app may pass; in the SDK, so an app can size what it sends by them too.
 */
export const BOUNDARY_LIMITS = {
  /** Levels of nested arrays and objects. */
  maxDepth: 64,
  /** Values (each string, number, array, object …) in one call's arguments or one result. */
  maxNodes: 100_000,
  /** Characters of JSON text. */
  maxChars: 1_048_576,
  /**
   * UTF-8 bytes of JSON arguments of an app's host calls in flight at once: past it a call fails
   * at once with sandbox_limit, unless none is in flight (one call of any allowed size goes).
   * Each call's text crosses a worker shared with other apps, so this bounds what one app can
   * queue ahead of them.
   */
  maxPendingBytes: 4_194_304,
  /** Characters of JSON text in an error's details: a refusal's facts, not a way to pass data. */
  errorDetailsChars: 16_384,
  /**
   * What the guest runtime's own frame adds around a value it has already bounded: an event's id
   * and outcome around its result, a log line's level and message (2,000 characters, escaped)
   * around its data, a handler's marker after a registration's arguments. The worker and the host
   * check whole messages, so they allow this much on top: a value the guest let through is never
   * refused later for its frame.
   */
  frame: { depth: 1, nodes: 3, chars: 16_384 },
  /** A metric's recordings in one call: the guest runtime sends one turn's in calls of at most this many. */
  metricRecordingsPerCall: 1_000,
} as const;
