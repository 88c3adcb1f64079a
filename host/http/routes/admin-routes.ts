import { Router } from '@koa/router';
import type { AccountStatus, UserKind } from '../../../sdk/protocol/message.js';
import { compileValidator } from '../../validation/validator.js';
import { displayNameSchema, handleSchema, object, passwordSchema } from '../../validation/schemas.js';
import { body, intQuery, requireAdmin } from '../request-context.js';
import { idParam, profileBody } from './auth-routes.js';
import type { RouteDeps } from './route-deps.js';

const createUserBody = compileValidator<{ handle: string; displayName: string; password?: string; kind?: UserKind }>(
  object(['handle', 'displayName'], {
    handle: handleSchema,
    displayName: displayNameSchema,
    password: passwordSchema,
    kind: { enum: ['person', 'bot', 'service'] },
  }),
);
const issueTokenBody = compileValidator<{ label?: string; ttlSeconds?: number }>(
  object([], {
    label: { type: 'string', minLength: 1, maxLength: 64 },
    ttlSeconds: { type: 'integer', minimum: 1, maximum: 10 * 365 * 86400 },
  }),
);
/** Wrapped in `query`, so that errors name their parameter as /query/kind, as intQuery's do. */
const listQuery = compileValidator<{
  query: { query?: string; kind?: UserKind; status?: AccountStatus; after?: string };
}>({
  type: 'object',
  properties: {
    query: {
      type: 'object',
      properties: {
        query: { type: 'string', maxLength: 64 },
        kind: { enum: ['person', 'bot', 'service'] },
        status: { enum: ['active', 'deactivated'] },
        after: { type: 'string', minLength: 1, maxLength: 32 },
      },
    },
  },
});
const passwordBody = compileValidator<{ password: string }>(object(['password'], { password: passwordSchema }));

/** Operator-only: accounts for people, bots and services (find, create, deactivate, change), and their tokens. */
export function adminRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/v1/admin' });
  router.use(async (ctx, next) => {
    requireAdmin(ctx, deps.adminToken);
    await next();
  });

  router.post('/users', async (ctx) => {
    ctx.status = 201;
    ctx.body = await deps.users.create(body(ctx, createUserBody));
  });

  router.get('/users', async (ctx) => {
    // Other parameters are ignored, as everywhere; a repeated one is not a string and is refused.
    const { query, kind, status, after } = listQuery({ query: { ...ctx.query } }).query;
    const limit = intQuery(ctx, 'limit', { min: 1, max: 200 }) ?? 50;
    ctx.body = await deps.accounts.list({ query, kind, status, after, limit });
  });

  router.get('/users/:userId', async (ctx) => {
    ctx.body = await deps.accounts.get(idParam(ctx.params.userId));
  });

  router.patch('/users/:userId', async (ctx) => {
    const userId = idParam(ctx.params.userId);
    ctx.body = await deps.accounts.setDisplayName(userId, body(ctx, profileBody).displayName);
  });

  router.post('/users/:userId/deactivate', async (ctx) => {
    ctx.body = await deps.accounts.deactivate(idParam(ctx.params.userId));
  });

  router.post('/users/:userId/reactivate', async (ctx) => {
    ctx.body = await deps.accounts.reactivate(idParam(ctx.params.userId));
  });

  router.post('/users/:userId/password', async (ctx) => {
    const userId = idParam(ctx.params.userId);
    await deps.accounts.setPassword(userId, body(ctx, passwordBody).password);
    ctx.status = 204;
  });

  router.post('/users/:userId/tokens', async (ctx) => {
    const user = await deps.users.byId(idParam(ctx.params.userId));
    const input = body(ctx, issueTokenBody);
    ctx.status = 201;
    ctx.body = await deps.tokens.issue(user.id, {
      kind: 'service',
      label: input.label ?? null,
      ttlSeconds: input.ttlSeconds,
    });
  });

  router.get('/users/:userId/tokens', async (ctx) => {
    const user = await deps.users.byId(idParam(ctx.params.userId));
    ctx.body = { tokens: await deps.tokens.list(user.id) };
  });

  router.delete('/tokens/:tokenId', async (ctx) => {
    await deps.tokens.revoke(idParam(ctx.params.tokenId));
    ctx.status = 204;
  });

  return router;
}
