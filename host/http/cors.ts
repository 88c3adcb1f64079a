import cors from '@koa/cors';
import type Koa from 'koa';
import { REQUEST_ID_HEADER } from '../logging/request-id.js';

/** What the API's requests carry and what a page may read of its answers (the request id, a rate limit's wait). */
const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
const ALLOWED_HEADERS = ['Authorization', 'Content-Type', REQUEST_ID_HEADER];
const EXPOSED_HEADERS = [REQUEST_ID_HEADER, 'Retry-After'];
const PREFLIGHT_CACHE_SECONDS = 600;

/**
 * CORS for pages served from the listed origins (http.cors.origins), through @koa/cors: their
 * requests and preflights get Access-Control-* headers naming the page's own origin; any other
 * origin gets none, so its browser keeps the answer from it. No list, no middleware: the default
 * sends no CORS header at all. Tokens travel in Authorization, never in cookies, so credentials
 * stay off (@koa/cors's default).
 */
export function corsMiddleware(origins: readonly string[]): Koa.Middleware | null {
  if (origins.length === 0) return null;
  const allowed = new Set(origins);
  return cors({
    origin: (ctx) => {
      const origin = ctx.get('Origin');
      return allowed.has(origin) ? origin : '';
    },
    allowMethods: ALLOWED_METHODS,
    allowHeaders: ALLOWED_HEADERS,
    exposeHeaders: EXPOSED_HEADERS,
    maxAge: PREFLIGHT_CACHE_SECONDS,
  });
}
