/**
 * The host's notion of now, in epoch milliseconds. Everything whose meaning depends on the time
 * (token expiry, message timestamps, storage TTLs, scheduled jobs, presence) reads it here, so a
 * test or a deployment can replace it through `HostOptions.clock`. Timers that only pace work
 * (timeouts, backoff, heartbeats) keep the real clock: a frozen test clock must not stall them.
 */
export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
