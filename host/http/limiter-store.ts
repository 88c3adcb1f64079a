import { RateLimiterMemory, type RateLimiterAbstract } from 'rate-limiter-flexible';

export interface LimiterOptions {
  keyPrefix: string;
  points: number;
  durationSeconds: number;
  blockSeconds?: number;
}

export type Limiter = RateLimiterAbstract;

/**
 * Where the limiters count: one place decides it for every HTTP and login limiter, so a host
 * alone counts in memory, and hosts sharing a bus count together on Redis (redis-limiter-store.ts).
 */
export interface LimiterStore {
  create(opts: LimiterOptions): Limiter;
  /** Lets go of the store's connection, if it has one (on host stop). */
  close(): Promise<void>;
}

export function memoryLimiter(opts: LimiterOptions): RateLimiterMemory {
  return new RateLimiterMemory({
    keyPrefix: opts.keyPrefix,
    points: opts.points,
    duration: opts.durationSeconds,
    ...(opts.blockSeconds !== undefined ? { blockDuration: opts.blockSeconds } : {}),
  });
}

/** Each host counts on its own. */
export const memoryLimiterStore: LimiterStore = {
  create: memoryLimiter,
  close: () => Promise.resolve(),
};
