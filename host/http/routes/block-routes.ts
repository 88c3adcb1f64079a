import { Router } from '@koa/router';
import { intQuery, requireUser, stringQuery } from '../request-context.js';
import { idParam } from './auth-routes.js';
import type { RouteDeps } from './route-deps.js';

/** Whom I block (docs/protocol.md, "Blocking people"). */
export function blockRoutes(deps: RouteDeps): Router {
  const router = new Router();

  router.get('/v1/me/blocks', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const limit = intQuery(ctx, 'limit', { min: 1, max: 200 });
    ctx.body = await deps.blocks.page(me.userId, { limit, cursor: stringQuery(ctx, 'cursor') });
  });

  router.put('/v1/me/blocks/:userId', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.blocks.block(me.userId, idParam(ctx.params.userId));
  });

  router.delete('/v1/me/blocks/:userId', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    await deps.blocks.unblock(me.userId, idParam(ctx.params.userId));
    ctx.status = 204;
  });

  return router;
}
