import { createHash, timingSafeEqual } from 'node:crypto';
import type Koa from 'koa';
import { RateLimiterRes } from 'rate-limiter-flexible';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { HostConfig } from '../config/host-config.js';
import type { Limiter, LimiterStore } from './limiter-store.js';

/**
 * HTTP request limits and login brute-force protection, on rate-limiter-flexible. Every limiter
 * comes from the host's LimiterStore: memory for a host alone, Redis for hosts sharing a bus.
 */

/** The refusal: `rate_limited` (429) with `retryAfterMs`; the error middleware adds Retry-After. */
function refused(msBeforeNext: number): SwitchboardError {
  return new SwitchboardError('rate_limited', undefined, { retryAfterMs: Math.max(1, Math.ceil(msBeforeNext)) });
}

/** A limiter rejects with a RateLimiterRes when the points are spent; anything else is a store failure. */
export async function consume(limiter: Limiter, key: string): Promise<RateLimiterRes> {
  try {
    return await limiter.consume(key);
  } catch (res) {
    if (res instanceof RateLimiterRes) throw refused(res.msBeforeNext);
    throw res;
  }
}

/** The client's address: the socket's peer, or with `http.trustProxy` the last X-Forwarded-For entry. */
export function clientAddress(ctx: Koa.Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = ctx.get('x-forwarded-for');
    const last = forwarded
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .pop();
    if (last) return normaliseAddress(last);
  }
  return normaliseAddress(ctx.req.socket.remoteAddress ?? 'unknown');
}

function normaliseAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address.toLowerCase();
}

const digest = (s: string) => createHash('sha256').update(s).digest();

const UNLIMITED_PATHS = new Set(['/healthz', '/readyz']);

/**
 * Per-request limits: a request with a bearer token counts against that token (keyed by its
 * hash, never the token itself), one without counts against its address. A bearer token the host
 * refuses (401) also counts against the address, so inventing tokens does not escape the limit.
 */
export class RequestLimits {
  private readonly perToken: Limiter;
  private readonly perAddress: Limiter;
  private readonly adminDigest: Buffer;

  constructor(
    private readonly config: HostConfig['http'],
    adminToken: string,
    limiters: LimiterStore,
  ) {
    const { perToken, perAddress } = config.rateLimits;
    this.perToken = limiters.create({
      keyPrefix: 'http_token',
      points: perToken.requests,
      durationSeconds: perToken.windowSeconds,
    });
    this.perAddress = limiters.create({
      keyPrefix: 'http_address',
      points: perAddress.requests,
      durationSeconds: perAddress.windowSeconds,
    });
    this.adminDigest = digest(adminToken);
  }

  middleware(): Koa.Middleware {
    return async (ctx, next) => {
      if (!this.config.rateLimits.enabled || UNLIMITED_PATHS.has(ctx.path)) {
        await next();
        return;
      }
      const address = clientAddress(ctx, this.config.trustProxy);
      const bearer = /^Bearer\s+(\S+)$/i.exec(ctx.get('authorization'))?.[1];
      if (bearer === undefined) {
        await consume(this.perAddress, address);
        await next();
        return;
      }
      const tokenDigest = digest(bearer);
      if (timingSafeEqual(tokenDigest, this.adminDigest)) {
        await next();
        return;
      }
      // An address that spent its budget on refused tokens is refused before its next token is tried.
      const spent = await this.perAddress.get(address);
      if (spent && spent.consumedPoints > this.config.rateLimits.perAddress.requests) throw refused(spent.msBeforeNext);
      await consume(this.perToken, tokenDigest.toString('base64url'));
      try {
        await next();
      } catch (err) {
        // The client is owed its 401; a penalty that could not be counted must not replace it.
        if (err instanceof SwitchboardError && err.status === 401)
          await this.perAddress.penalty(address).catch(() => undefined);
        throw err;
      }
    };
  }
}

/**
 * Failed logins. Three counts, each checked before the password is:
 * - per (handle, address): `failuresBeforeBlock` failures in a row block that pair for
 *   `blockSeconds`, doubling with each further failure up to `maxBlockSeconds`; a successful
 *   login resets it. An attacker guessing from one address locks out only that address.
 * - per handle, from any address: `perAccount.failures` in `perAccount.windowSeconds` block the
 *   handle for `perAccount.blockSeconds` (fixed, so many addresses together can hold an account
 *   for at most that long at a time).
 * - per address, for any handle: `perAddress.failures` per window block the address.
 * Handles are counted case-insensitively; unknown handles count like known ones.
 */
export class LoginLimits {
  private readonly failures: Limiter;
  private readonly lockout: Limiter;
  private readonly perAccount: Limiter;
  private readonly perAddress: Limiter;

  constructor(
    private readonly config: HostConfig['http'],
    limiters: LimiterStore,
  ) {
    const l = config.loginLimits;
    // Consecutive failures per (handle, address), remembered for the longest block.
    this.failures = limiters.create({
      keyPrefix: 'login_fail',
      points: Number.MAX_SAFE_INTEGER,
      durationSeconds: Math.max(l.maxBlockSeconds, 3600) * 2,
    });
    this.lockout = limiters.create({ keyPrefix: 'login_lock', points: 1, durationSeconds: 1 });
    this.perAccount = limiters.create({
      keyPrefix: 'login_account',
      points: l.perAccount.failures,
      durationSeconds: l.perAccount.windowSeconds,
      blockSeconds: l.perAccount.blockSeconds,
    });
    this.perAddress = limiters.create({
      keyPrefix: 'login_address',
      points: l.perAddress.failures,
      durationSeconds: l.perAddress.windowSeconds,
      blockSeconds: l.perAddress.blockSeconds,
    });
  }

  /** Runs one login attempt under the limits; `attempt` throws `invalid_credentials` on a wrong password. */
  async guard<T>(ctx: Koa.Context, handle: string, attempt: () => Promise<T>): Promise<T> {
    if (!this.config.loginLimits.enabled) return attempt();
    const address = clientAddress(ctx, this.config.trustProxy);
    const account = handle.toLowerCase();
    const pair = `${account}\u0000${address}`;
    const [lock, byAccount, byAddress] = await Promise.all([
      this.lockout.get(pair),
      this.perAccount.get(account),
      this.perAddress.get(address),
    ]);
    const waits = [
      lock && lock.consumedPoints > 1 ? lock.msBeforeNext : 0,
      byAccount && byAccount.consumedPoints > this.config.loginLimits.perAccount.failures ? byAccount.msBeforeNext : 0,
      byAddress && byAddress.consumedPoints > this.config.loginLimits.perAddress.failures ? byAddress.msBeforeNext : 0,
    ];
    const wait = Math.max(...waits);
    if (wait > 0) throw refused(wait);
    try {
      const result = await attempt();
      await Promise.all([this.failures.delete(pair), this.lockout.delete(pair)]);
      return result;
    } catch (err) {
      if (err instanceof SwitchboardError && err.code === 'invalid_credentials')
        await this.recordFailure(pair, account, address);
      throw err;
    }
  }

  private async recordFailure(pair: string, account: string, address: string): Promise<void> {
    const l = this.config.loginLimits;
    const ignoreRefusal = (res: unknown) => {
      if (!(res instanceof RateLimiterRes)) throw res;
    };
    const [count] = await Promise.all([
      this.failures.consume(pair),
      this.perAccount.consume(account).catch(ignoreRefusal),
      this.perAddress.consume(address).catch(ignoreRefusal),
    ]);
    const beyond = count.consumedPoints - l.failuresBeforeBlock;
    if (beyond >= 0) {
      const seconds = Math.min(l.maxBlockSeconds, l.blockSeconds * 2 ** Math.min(beyond, 30));
      await this.lockout.block(pair, seconds);
    }
  }
}
