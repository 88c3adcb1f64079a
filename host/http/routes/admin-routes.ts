import { Router } from '@koa/router';
import type { UserKind } from '../../../sdk/protocol/message.js';
import { compileValidator } from '../../validation/validator.js';
import { displayNameSchema, handleSchema, object, passwordSchema } from '../../validation/schemas.js';
import { body, requireAdmin } from '../request-context.js';
import { idParam } from './auth-routes.js';
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

/** Operator-only: accounts for people, bots and services, and their tokens. */
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
