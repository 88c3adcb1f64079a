import { createHash, timingSafeEqual } from 'node:crypto';
import { Router } from '@koa/router';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { bearerFrom } from '../../auth/bearer.js';
import type { RouteDeps } from './route-deps.js';

/**
 * GET /metrics, Prometheus text. Only the metrics token opens it, not the admin token: the
 * scraper's configuration holds it, and a secret stored there should open nothing else. Without
 * a token configured the route does not exist, so nothing about the host leaks.
 */
export function metricsRoutes(deps: RouteDeps): Router {
  const router = new Router();
  const token = deps.config.metrics.token;
  if (token === undefined) return router;
  const digest = (s: string) => createHash('sha256').update(s).digest();
  const expected = digest(token);
  router.get('/metrics', async (ctx) => {
    const given = bearerFrom(ctx.get('authorization') || undefined);
    if (!given) throw new SwitchboardError('unauthenticated');
    if (!timingSafeEqual(digest(given), expected))
      throw new SwitchboardError('forbidden', 'This token may not read metrics.');
    ctx.type = deps.metrics.contentType;
    ctx.body = await deps.metrics.scrape();
  });
  return router;
}
