import { Router } from '@koa/router';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { RouteDeps } from './route-deps.js';

export function healthRoutes(deps: RouteDeps): Router {
  const router = new Router();
  router.get('/healthz', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/readyz', async (ctx) => {
    const bus = deps.busConnected?.();
    if (!(await deps.isReady())) throw new SwitchboardError('not_ready');
    // Without the bus this host's clients miss other hosts' changes until they resume elsewhere.
    if (bus === false) throw new SwitchboardError('not_ready', 'The event bus (Redis) is unreachable.');
    ctx.body = bus === undefined ? { status: 'ready' } : { status: 'ready', bus: 'connected' };
  });
  return router;
}
