import { Router } from '@koa/router';
import { requireUser } from '../request-context.js';
import type { RouteDeps } from './route-deps.js';

/**
 * `GET /v1/plugins`: the plugins running on this host, for people's clients. A client offers what
 * a plugin serves (the payments plugin's money screen) only when it runs, without asking the
 * plugin's own routes and getting a 404 for each feature the host lacks. Ids only: the operator's
 * view (status, failures, settings) stays under /v1/admin.
 */
export function pluginListingRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/v1' });
  router.get('/plugins', async (ctx) => {
    await requireUser(ctx, deps.tokens);
    ctx.body = { plugins: deps.plugins.registry.running().map((record) => ({ id: record.id })) };
  });
  return router;
}
