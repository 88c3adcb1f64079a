import { Router } from '@koa/router';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { RouteDeps } from './route-deps.js';

export function healthRoutes(deps: RouteDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    if (!(await deps.isReady())) throw new SwitchboardError('not_ready');
    ctx.body = { status: 'ready' };
  });
  return router;
}
