import { randomUUID } from 'node:crypto';

/** The header that carries a request's id in (from a proxy) and out (on every answer). */
export const REQUEST_ID_HEADER = 'X-Request-Id';

// Short and plain, so an id taken from a client can go into a log line and a header as it is.
const SAFE_ID = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * The id that ties a request's log lines to its answer: the one a proxy (or client) sent when it
 * is safe to log and echo, else a fresh UUID. A repeated header arrives joined with ", " and so
 * is replaced too.
 */
export function requestIdFrom(given: string | string[] | undefined): string {
  return typeof given === 'string' && SAFE_ID.test(given) ? given : randomUUID();
}
