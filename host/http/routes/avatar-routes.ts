import { Router } from '@koa/router';
import { requireUser } from '../request-context.js';
import { uploadRoute } from './upload-route.js';
import type { RouteDeps } from './route-deps.js';

/** An avatar's path names its content: the bytes behind it never change, so anyone may keep them. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/**
 * The caller's avatar, and everyone's avatars by content hash. Mounted before the JSON body parser:
 * `PUT /v1/me/avatar` takes the image itself as its body, under `attachments.maxBytes`. The
 * display name is changed by `PATCH /v1/me` (auth-routes.ts, beside `GET /v1/me`).
 */
export function avatarRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/v1' });

  // A new avatar is an upload like any other, with a limit of its own.
  router.put(
    '/me/avatar',
    uploadRoute(deps, 'avatar_user', async (ctx, userId, body) => {
      ctx.body = await deps.profiles.setAvatar(userId, await body(), ctx.get('content-type') || undefined);
    }),
  );

  router.delete('/me/avatar', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.profiles.removeAvatar(me.userId);
  });

  // No Authorization header: an avatar is as public as the user it belongs to, and `<img src>` works.
  router.get('/avatars/:hash', async (ctx) => {
    const hash = ctx.params.hash ?? '';
    const etag = `"${hash}"`;
    const bytes = await deps.profiles.avatar(hash);
    ctx.set('Cache-Control', IMMUTABLE);
    ctx.set('ETag', etag);
    ctx.set('X-Content-Type-Options', 'nosniff');
    ctx.type = 'image/webp';
    if (ctx.get('if-none-match') === etag) {
      ctx.status = 304;
      return;
    }
    ctx.body = bytes;
  });

  return router;
}
