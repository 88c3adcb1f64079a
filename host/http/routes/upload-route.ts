import type Koa from 'koa';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { tooLarge } from '../../attachments/attachment-service.js';
import { readRawBody } from '../json-body.js';
import { consume } from '../rate-limits.js';
import { requireUser } from '../request-context.js';
import type { RouteDeps } from './route-deps.js';

/** What an upload handler gets: who is uploading, and the body, read when the handler asks. */
export type UploadHandler = (ctx: Koa.Context, userId: string, body: () => Promise<Buffer>) => Promise<void>;

/**
 * A route whose body is a file (an attachment, an avatar): the caller authenticated and within
 * `attachments.uploadLimit` (counted per `keyPrefix`), the body read under `attachments.maxBytes`
 * only once the handler asks for it, and after a refusal the connection closed rather than the
 * rest of the body read.
 */
export function uploadRoute(deps: RouteDeps, keyPrefix: string, handle: UploadHandler): Koa.Middleware {
  const { attachments: limits, http } = deps.config;
  const uploads = deps.limiters.create({
    keyPrefix,
    points: limits.uploadLimit.requests,
    durationSeconds: limits.uploadLimit.windowSeconds,
  });
  return async (ctx) => {
    try {
      const me = await requireUser(ctx, deps.tokens);
      if (http.rateLimits.enabled) await consume(uploads, me.userId);
      await handle(ctx, me.userId, () => readUpload(ctx, limits.maxBytes));
    } catch (err) {
      // Whatever of the body is still unread is not read: the connection closes after the answer.
      if (!ctx.req.complete) ctx.set('Connection', 'close');
      throw err;
    }
  };
}

/** The raw body, stopping at `maxBytes` (a declared Content-Length past it is refused unread). */
async function readUpload(ctx: Koa.Context, maxBytes: number): Promise<Buffer> {
  try {
    return await readRawBody(ctx.req, maxBytes);
  } catch (err) {
    if (err instanceof SwitchboardError && err.code === 'payload_too_large') throw tooLarge(maxBytes);
    throw err;
  }
}
