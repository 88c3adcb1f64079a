/**
 * What one plugin's http.fetch may hold at once (docs/plugins.md, Outbound HTTP); the host enforces
 * it (host/plugins/capabilities/outbound-pool.ts), and a plugin that sends many requests can size
 * its own concurrency by it. Each request out may buffer an answer of up to 1 MiB in the host.
 * - A sandboxed app: 16 out bound that to 16 MiB, half an app's default heap. Its queue lets a
 *   burst wait rather than fail (16 + 64 is more than an app's default maxPendingCalls, so such an
 *   app never meets the refusal) while bounding what waits.
 * - A trusted plugin is the operator's own code and may serve many parties at once (business
 *   chat's webhooks, one per business): 64 out, 256 waiting.
 */
export const OUTBOUND_LIMITS = Object.freeze({
  /** Requests of one sandboxed app sent and not yet answered. */
  inFlightPerApp: 16,
  /** Requests of one app waiting for one of those to end, within their own timeoutMs; more fail at once with rate_limited. */
  queuedPerApp: 64,
  /** The same for a trusted plugin. */
  inFlightPerPlugin: 64,
  queuedPerPlugin: 256,
});

/** The share of requests out and waiting of a plugin, or of a sandboxed app. */
export function outboundShare(sandboxed: boolean): { inFlight: number; queued: number } {
  return sandboxed
    ? { inFlight: OUTBOUND_LIMITS.inFlightPerApp, queued: OUTBOUND_LIMITS.queuedPerApp }
    : { inFlight: OUTBOUND_LIMITS.inFlightPerPlugin, queued: OUTBOUND_LIMITS.queuedPerPlugin };
}
