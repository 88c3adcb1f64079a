import { Router } from '@koa/router';
import { requireUser } from '../request-context.js';
import { idParam } from './auth-routes.js';
import type { RouteDeps } from './route-deps.js';

/** A conversation's pinned messages (docs/protocol.md, "Pinned messages"); the same as the pin frames. */
export function pinRoutes(deps: RouteDeps): Router {
  const router = new Router();

  router.get('/v1/conversations/:id/pins', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = { pins: await deps.pins.list(me.userId, idParam(ctx.params.id)) };
  });

  router.put('/v1/conversations/:id/pins/:messageId', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = { pin: await deps.pins.pin(me.userId, idParam(ctx.params.id), idParam(ctx.params.messageId)) };
  });

  router.delete('/v1/conversations/:id/pins/:messageId', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    await deps.pins.unpin(me.userId, idParam(ctx.params.id), idParam(ctx.params.messageId));
    ctx.status = 204;
  });

  return router;
}
