/**
 * What one plugin's http.fetch may hold at once, trusted or sandboxed (docs/plugins.md, Outbound
 * HTTP); the host enforces it (host/plugins/capabilities/outbound-pool.ts), and a plugin that sends
 * many requests can size its own concurrency by it. Each request out may buffer an answer of up to
 * 1 MiB in the host, so 16 bound that to 16 MiB a plugin, half an app's default heap. The queue
 * lets a burst wait rather than fail (16 + 64 is more than an app's default maxPendingCalls, so
 * such an app never meets the refusal) while bounding what waits.
 */
export const OUTBOUND_LIMITS = Object.freeze({
  /** Requests of one plugin sent and not yet answered. */
  inFlightPerPlugin: 16,
  /** Requests of one plugin waiting for one of those to end, within their own timeoutMs; more fail at once with rate_limited. */
  queuedPerPlugin: 64,
});
