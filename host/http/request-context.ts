import type Koa from 'koa';
import { timingSafeEqual, createHash } from 'node:crypto';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Principal, TokenService } from '../auth/token-service.js';
import { bearerFrom } from '../auth/bearer.js';
import type { Validator } from '../validation/validator.js';
import { requestState } from './request-state.js';

/** The caller behind the bearer token, or `unauthenticated`; the request log names them. */
export async function requireUser(ctx: Koa.Context, tokens: TokenService): Promise<Principal> {
  const principal = await tokens.authenticate(bearerFrom(ctx.get('authorization') || undefined));
  requestState(ctx).userId = principal.userId;
  return principal;
}

/** The operator admin token; a user token gets `admin_required`, no token `unauthenticated`. */
export function requireAdmin(ctx: Koa.Context, adminToken: string): void {
  const given = bearerFrom(ctx.get('authorization') || undefined);
  if (!given) throw new SwitchboardError('unauthenticated');
  const digest = (s: string) => createHash('sha256').update(s).digest();
  if (!timingSafeEqual(digest(given), digest(adminToken))) throw new SwitchboardError('admin_required');
}

export function body<T>(ctx: Koa.Context, validate: Validator<T>): T {
  return validate((ctx.request as unknown as { body?: unknown }).body ?? {});
}

/** An optional non-negative integer query parameter. */
export function intQuery(ctx: Koa.Context, name: string, range: { min: number; max: number }): number | undefined {
  const raw = ctx.query[name];
  if (raw === undefined) return undefined;
  const value = Array.isArray(raw) ? NaN : Number(raw);
  if (!Number.isInteger(value) || value < range.min || value > range.max) {
    throw new SwitchboardError(
      'invalid_request',
      `Query parameter ${name} must be an integer from ${range.min} to ${range.max}.`,
      {
        details: [{ path: `/query/${name}`, message: `must be an integer from ${range.min} to ${range.max}` }],
      },
    );
  }
  return value;
}

/** An optional query parameter given at most once. */
export function stringQuery(ctx: Koa.Context, name: string): string | undefined {
  const raw = ctx.query[name];
  if (raw === undefined || typeof raw === 'string') return raw;
  throw new SwitchboardError('invalid_request', `Give ${name} once.`, {
    details: [{ path: `/query/${name}`, message: 'must be a string' }],
  });
}

/** An optional query parameter that is `true` or `false`. */
export function boolQuery(ctx: Koa.Context, name: string): boolean | undefined {
  const raw = ctx.query[name];
  if (raw === undefined) return undefined;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new SwitchboardError('invalid_request', `Query parameter ${name} must be true or false.`, {
    details: [{ path: `/query/${name}`, message: 'must be true or false' }],
  });
}
