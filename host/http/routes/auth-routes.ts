import { Router } from '@koa/router';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { compileValidator } from '../../validation/validator.js';
import { displayNameSchema, handleSchema, idSchema, object, passwordSchema } from '../../validation/schemas.js';
import { body, requireUser } from '../request-context.js';
import { LoginLimits } from '../rate-limits.js';
import type { RouteDeps } from './route-deps.js';

const loginBody = compileValidator<{ handle: string; password: string }>(
  object(['handle', 'password'], {
    handle: { type: 'string', minLength: 1, maxLength: 64 },
    password: { type: 'string', minLength: 1, maxLength: 256 },
  }),
);
const registerBody = compileValidator<{ handle: string; displayName: string; password: string }>(
  object(['handle', 'displayName', 'password'], {
    handle: handleSchema,
    displayName: displayNameSchema,
    password: passwordSchema,
  }),
);

/** A profile change, by the user (PATCH /v1/me) or the operator; the avatar has its own routes. */
export const profileBody = compileValidator<{ displayName: string }>(
  object(['displayName'], { displayName: displayNameSchema }),
);

/** Login, registration, logout, and the caller's own profile and tokens. */
export function authRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/v1' });
  const loginLimits = new LoginLimits(deps.config.http, deps.limiters);

  router.post('/auth/login', async (ctx) => {
    const { handle, password } = body(ctx, loginBody);
    const user = await loginLimits.guard(ctx, handle, () => deps.users.verifyPassword(handle, password));
    const issued = await deps.tokens.issue(user.id, { kind: 'session', label: 'login' });
    ctx.body = { ...issued, user };
  });

  router.post('/auth/register', async (ctx) => {
    if (!deps.config.auth.openRegistration) throw new SwitchboardError('registration_closed');
    const input = body(ctx, registerBody);
    const user = await deps.users.create({ ...input, kind: 'person' });
    const issued = await deps.tokens.issue(user.id, { kind: 'session', label: 'registration' });
    ctx.status = 201;
    ctx.body = { ...issued, user };
  });

  router.post('/auth/logout', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    await deps.tokens.revoke(me.tokenId, me.userId);
    ctx.status = 204;
  });

  router.get('/me', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.users.byId(me.userId);
  });

  router.patch('/me', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.profiles.setDisplayName(me.userId, body(ctx, profileBody).displayName);
  });

  router.get('/me/tokens', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = { tokens: await deps.tokens.list(me.userId) };
  });

  router.delete('/me/tokens/:tokenId', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    await deps.tokens.revoke(idParam(ctx.params.tokenId), me.userId);
    ctx.status = 204;
  });

  router.get('/users/:userId', async (ctx) => {
    await requireUser(ctx, deps.tokens);
    ctx.body = await deps.users.byId(idParam(ctx.params.userId));
  });

  router.get('/users', async (ctx) => {
    await requireUser(ctx, deps.tokens);
    const handle = ctx.query.handle;
    if (typeof handle !== 'string' || handle.length === 0 || [...handle].length > 64) {
      throw new SwitchboardError('invalid_request', 'Give ?handle= to look a user up.', {
        details: [{ path: '/query/handle', message: 'is required' }],
      });
    }
    ctx.body = await deps.users.byHandle(handle);
  });

  return router;
}

const idCheck = compileValidator<string>(idSchema);
export function idParam(value: string | undefined): string {
  return idCheck(value);
}
