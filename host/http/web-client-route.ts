import { fileURLToPath } from 'node:url';
import { send } from '@koa/send';
import type Koa from 'koa';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { HostConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';

/** Where `npm run build:web` puts the app: web/dist in the host's own directory. */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Paths that belong to the API: an unknown one stays the JSON 404 of an unknown endpoint. */
const API_PATH = /^\/(v1|plugins)(\/|$)|^\/(healthz|readyz|metrics)$/;
/** Vite names these files by their content hash: a new build gives new names, so they never go stale. */
const HASHED_ASSET = /^\/assets\//;

/**
 * What a browser needs to treat the app strictly: scripts, styles and connections only from this
 * host ('self' also covers this host's ws:/wss:), nothing inline, no plugins, no framing.
 */
export const WEB_CLIENT_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; '),
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
};

/**
 * Serves the web client (web.root) for GET and HEAD requests no route answered, outside the API's
 * paths: a path with a file extension is a file of the build (`/assets/…` cached for a year, others
 * revalidated), any other path is one of the app's own pages (`/`, `/login`, `/c/<id>`…) and gets
 * index.html, which the app routes itself. A missing file stays a 404 `route_not_found`; a missing
 * build answers 503 `web_client_not_built`. It runs after the routes, so it never hides one.
 */
export function webClientRoute(config: HostConfig['web'], log: Logger): Koa.Middleware {
  const root = config.root ?? DEFAULT_WEB_ROOT;
  let warned = false;
  return async (ctx, next) => {
    await next();
    if (ctx.body !== undefined || ctx.status !== 404) return;
    if ((ctx.method !== 'GET' && ctx.method !== 'HEAD') || API_PATH.test(ctx.path)) return;
    const isFile = /\.[^/]*$/.test(ctx.path);
    // index.html names the current hashed assets: a browser must ask again each time.
    const cacheControl = isFile && HASHED_ASSET.test(ctx.path) ? 'public, max-age=31536000, immutable' : 'no-cache';
    try {
      const served = await send(ctx, isFile ? ctx.path : 'index.html', {
        root,
        // Set once the file is found, so a 404 never carries a year of caching.
        setHeaders: (res) => res.setHeader('Cache-Control', cacheControl),
        brotli: false,
        gzip: false,
      });
      // undefined: a dotted name (.build-hash), which is never served.
      if (served === undefined) return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      if (isFile) return;
      if (!warned) {
        warned = true;
        log.warn({ root }, 'the web client is not built: run npm run build:web');
      }
      throw new SwitchboardError('web_client_not_built');
    }
    for (const [name, value] of Object.entries(WEB_CLIENT_HEADERS)) ctx.set(name, value);
  };
}

/** @koa/send's answer for a path outside the root (403), malformed (400) or missing (404): not a file of the app. */
function isNotFound(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  return status === 404 || status === 403 || status === 400;
}
