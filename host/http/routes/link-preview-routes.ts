import { Router } from '@koa/router';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { pageUrl } from '../../link-previews/link-previews.js';
import { consume } from '../rate-limits.js';
import { requireUser } from '../request-context.js';
import type { RouteDeps } from './route-deps.js';

/**
 * GET /v1/link-preview?url=…: a linked page's preview card, for any signed-in user (docs/protocol.md
 * "Link previews"). Fetches the host makes for a user count against `linkPreviews.fetchLimit`;
 * answers it already has (or is fetching for someone else) do not.
 */
export function linkPreviewRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/v1/link-preview' });
  const { linkPreviews: config, http } = deps.config;
  const fetches = deps.limiters.create({
    keyPrefix: 'link_preview',
    points: config.fetchLimit.requests,
    durationSeconds: config.fetchLimit.windowSeconds,
  });
  router.get('/', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    // Turned off, the route says so before it looks at the URL: there is nothing to get right.
    if (!config.enabled) throw new SwitchboardError('link_previews_disabled');
    ctx.body = await deps.linkPreviews.preview(pageUrl(ctx.query.url), async () => {
      if (http.rateLimits.enabled) await consume(fetches, me.userId);
    });
  });
  return router;
}
