import type Koa from 'koa';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../logging/logger.js';
import { REQUEST_ID_HEADER, requestIdFrom } from '../logging/request-id.js';
import { requestState } from './request-state.js';

// A load balancer or a scraper polls these every few seconds; their lines would bury everything else at info.
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);
const MAX_LOGGED_PATH = 200;

/**
 * Gives every request an id (answered in `X-Request-Id`, and put in error bodies by the error
 * middleware) and logs one line when it ends: method, path (never the query string, which may
 * carry values a user typed), status, duration, request id, and the user once a route knows it.
 * Never headers or bodies, where tokens and passwords travel. It goes first, so it sees the
 * status every later middleware settled on.
 */
export function requestLog(log: Logger): Koa.Middleware {
  return async (ctx, next) => {
    const started = performance.now();
    const requestId = requestIdFrom(ctx.get(REQUEST_ID_HEADER) || undefined);
    const state = requestState(ctx);
    state.requestId = requestId;
    ctx.set(REQUEST_ID_HEADER, requestId);
    let failed = false;
    try {
      await next();
    } catch (err) {
      // The error middleware answers everything; what escapes it Koa turns into a 500.
      failed = true;
      throw err;
    } finally {
      const line = {
        requestId,
        method: ctx.method.slice(0, 32),
        path: ctx.path.length > MAX_LOGGED_PATH ? `${ctx.path.slice(0, MAX_LOGGED_PATH)}…` : ctx.path,
        status: failed ? 500 : ctx.status,
        ms: Math.round((performance.now() - started) * 10) / 10,
        ...(state.userId === undefined ? {} : { userId: state.userId }),
      };
      if (PROBES.has(ctx.path)) log.debug(line, 'request');
      else log.info(line, 'request');
    }
  };
}
