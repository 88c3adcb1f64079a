import { Router } from '@koa/router';
import {
  MAX_REPORT_NOTE_LENGTH,
  REPORT_ACTIONS,
  REPORT_REASONS,
  type ReportAction,
  type ReportRequest,
} from '../../../sdk/protocol/reports.js';
import { compileValidator } from '../../validation/validator.js';
import { idSchema, object } from '../../validation/schemas.js';
import { consume } from '../rate-limits.js';
import { body, intQuery, requireAdmin, requireUser } from '../request-context.js';
import { idParam } from './auth-routes.js';
import type { RouteDeps } from './route-deps.js';

const reportBody = compileValidator<ReportRequest>(
  object(['reason'], {
    conversationId: idSchema,
    messageId: idSchema,
    userId: idSchema,
    reason: { enum: REPORT_REASONS },
    note: { type: 'string', maxLength: MAX_REPORT_NOTE_LENGTH },
  }),
);
const resolveBody = compileValidator<{ action: ReportAction }>(
  object(['action'], { action: { enum: REPORT_ACTIONS } }),
);
/** Wrapped in `query`, so that errors name their parameter as /query/status, as intQuery's do. */
const listQuery = compileValidator<{ query: { status?: 'open' | 'resolved'; before?: string } }>({
  type: 'object',
  properties: {
    query: {
      type: 'object',
      properties: { status: { enum: ['open', 'resolved'] }, before: idSchema },
    },
  },
});

/**
 * POST /v1/reports: a signed-in person reports a message or a person to the operator
 * (docs/protocol.md "Reporting abuse"), within `reports.submitLimit` per user. 201 with a new
 * report, 200 with the open one a repeat names.
 */
export function reportRoutes(deps: RouteDeps): Router {
  const router = new Router();
  const { reports: config, http } = deps.config;
  const submits = deps.limiters.create({
    keyPrefix: 'reports',
    points: config.submitLimit.requests,
    durationSeconds: config.submitLimit.windowSeconds,
  });
  router.post('/v1/reports', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const input = body(ctx, reportBody);
    if (http.rateLimits.enabled) await consume(submits, me.userId);
    const { report, created } = await deps.reports.submit(me.userId, input);
    ctx.status = created ? 201 : 200;
    ctx.body = report;
  });
  return router;
}

/** The operator's queue of reports (docs/operators.md "Reviewing reports"): list, read, resolve. */
export function reportAdminRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/v1/admin/reports' });
  router.use(async (ctx, next) => {
    requireAdmin(ctx, deps.adminToken);
    await next();
  });
  router.get('/', async (ctx) => {
    // Other parameters are ignored, as everywhere; a repeated one is not a string and is refused.
    const { status, before } = listQuery({ query: { ...ctx.query } }).query;
    const limit = intQuery(ctx, 'limit', { min: 1, max: 200 }) ?? 50;
    ctx.body = await deps.reportReview.list({ status: status ?? 'open', before, limit });
  });
  router.get('/:reportId', async (ctx) => {
    ctx.body = await deps.reportReview.get(idParam(ctx.params.reportId));
  });
  router.post('/:reportId/resolve', async (ctx) => {
    const reportId = idParam(ctx.params.reportId);
    ctx.body = await deps.reportReview.resolve(reportId, body(ctx, resolveBody).action);
  });
  return router;
}
