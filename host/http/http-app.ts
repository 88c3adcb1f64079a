import Koa from 'koa';
import type { Logger } from '../logging/logger.js';
import { errorMiddleware } from './error-middleware.js';
import { requestLog } from './request-log.js';
import { RequestLimits } from './rate-limits.js';
import { urlInputRules } from './input-rules.js';
import { jsonBody } from './json-body.js';
import { adminRoutes } from './routes/admin-routes.js';
import { authRoutes } from './routes/auth-routes.js';
import { conversationRoutes } from './routes/conversation-routes.js';
import { threadRoutes } from './routes/thread-routes.js';
import { pinRoutes } from './routes/pin-routes.js';
import { reportAdminRoutes, reportRoutes } from './routes/report-routes.js';
import { blockRoutes } from './routes/block-routes.js';
import { attachmentRoutes } from './routes/attachment-routes.js';
import { avatarRoutes } from './routes/avatar-routes.js';
import { healthRoutes } from './routes/health-routes.js';
import { metricsRoutes } from './routes/metrics-routes.js';
import { pluginAdminRoutes } from './routes/plugin-admin-routes.js';
import { pluginListingRoutes } from './routes/plugin-listing-routes.js';
import { pushRoutes } from './routes/push-routes.js';
import { searchRoutes } from './routes/search-routes.js';
import { linkPreviewRoutes } from './routes/link-preview-routes.js';
import type { RouteDeps } from './routes/route-deps.js';
import { corsMiddleware } from './cors.js';
import { webClientRoute } from './web-client-route.js';

/** The Koa application: JSON in, JSON out, errors from the catalog. */
export function createHttpApp(deps: RouteDeps, log: Logger): Koa {
  const app = new Koa();
  app.proxy = false;
  app.silent = true;
  // One line per request, with the id that error bodies carry: outside everything, so it sees the final status.
  app.use(requestLog(log));
  // Pages from the configured origins (none by default): headers set here stay on error answers too.
  const cors = corsMiddleware(deps.config.http.cors.origins);
  if (cors) app.use(cors);
  app.use(errorMiddleware(log));
  // Requests per token (or per address without one): before anything else is done for them.
  app.use(new RequestLimits(deps.config.http, deps.adminToken, deps.limiters).middleware());
  // Path segments and query: well-formed Unicode without U+0000, before any route (plugins' too).
  app.use(urlInputRules());
  // /plugins/<id>/… reads its own raw body (signatures cover the exact bytes), so it goes first.
  app.use(deps.pluginRoutes.middleware(deps.adminToken));
  // Uploads read their own raw body (a file, under attachments.maxBytes), so they go before JSON too.
  for (const router of [attachmentRoutes(deps), avatarRoutes(deps)]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  // Strict UTF-8, then JSON, then the string rule: the same steps as the plugins' routes.
  app.use(jsonBody(deps.config.http.bodyLimitBytes));
  for (const router of [
    healthRoutes(deps, log),
    metricsRoutes(deps),
    authRoutes(deps),
    adminRoutes(deps),
    pluginAdminRoutes(deps),
    pluginListingRoutes(deps),
    conversationRoutes(deps),
    pushRoutes(deps),
    threadRoutes(deps),
    pinRoutes(deps),
    reportRoutes(deps),
    reportAdminRoutes(deps),
    blockRoutes(deps),
    searchRoutes(deps),
    linkPreviewRoutes(deps),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  // The web client answers what no route did (its pages and files), last so it never hides one.
  if (deps.config.web.enabled) app.use(webClientRoute(deps.config.web, log));
  return app;
}
