import { Redis } from 'ioredis';
import { RateLimiterRedis } from 'rate-limiter-flexible';
import type { HostConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';
import {
  memoryLimiter,
  memoryLimiterStore,
  type Limiter,
  type LimiterOptions,
  type LimiterStore,
} from './limiter-store.js';

export interface RedisLimiterStoreOptions {
  /** redis:// or rediss:// (it may hold a password, so it is never logged). */
  url: string;
  /** Start of every key, shared with the event bus (`<prefix>rate:<limiter>:<key>`). */
  prefix: string;
  log: Logger;
}

/** A Redis slower than this counts as down for that request: a limit check must not hold a request up. */
const COMMAND_TIMEOUT_MS = 500;

/**
 * Limiters counted on Redis, so every host sharing it sees the same counts and blocks. When
 * Redis cannot answer, each limiter falls back to a memory limiter of its own with the same
 * options (rate-limiter-flexible's insurance limiter): the host then limits on its own, rather
 * than refusing everyone or letting everyone through, until Redis is back. The outage is logged
 * once, and its end once.
 */
export class RedisLimiterStore implements LimiterStore {
  private readonly client: Redis;
  private readonly log: Logger;
  private down = false;
  private closing = false;

  constructor(private readonly options: RedisLimiterStoreOptions) {
    this.log = options.log.child({ component: 'rate-limits' });
    this.client = new Redis(options.url, {
      // No queue while disconnected and no waiting on retries: a check either gets Redis now or
      // goes to the fallback limiter.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: COMMAND_TIMEOUT_MS,
      connectionName: 'switchboard:rate-limits',
    });
    // Without a listener ioredis prints each failed reconnect; the outage is logged once instead.
    this.client.on('error', (err: unknown) => this.noteDown(err));
    this.client.on('close', () => this.noteDown(new Error('the connection to Redis closed')));
    this.client.on('ready', () => this.noteUp());
  }

  create(opts: LimiterOptions): Limiter {
    return new RateLimiterRedis({
      storeClient: this.client,
      keyPrefix: `${this.options.prefix}rate:${opts.keyPrefix}`,
      points: opts.points,
      duration: opts.durationSeconds,
      ...(opts.blockSeconds !== undefined ? { blockDuration: opts.blockSeconds } : {}),
      rejectIfRedisNotReady: true,
      insuranceLimiter: memoryLimiter(opts),
    });
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    if (this.client.status !== 'ready') {
      this.client.disconnect();
      return;
    }
    // A QUIT that fails means the connection broke meanwhile: cutting it is all that is left to do.
    await this.client.quit().catch(() => this.client.disconnect());
  }

  private noteDown(err: unknown): void {
    if (this.down || this.closing) return;
    this.down = true;
    this.log.warn({ err }, 'rate limits and login backoff count per host until Redis is back: it is unreachable');
  }

  private noteUp(): void {
    if (!this.down) return;
    this.down = false;
    this.log.info('rate limits are shared by every host again: Redis is reachable');
  }
}

/** With `bus.url` the hosts share one Redis, and so their counts and blocks; without it, memory. */
export function limiterStoreFor(config: HostConfig, log: Logger): LimiterStore {
  const { url, prefix } = config.bus;
  return url === undefined ? memoryLimiterStore : new RedisLimiterStore({ url, prefix, log });
}
