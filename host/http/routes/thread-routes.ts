import { Router } from '@koa/router';
import { compileValidator } from '../../validation/validator.js';
import { object } from '../../validation/schemas.js';
import type { MuteUntil } from '../../conversations/mute-service.js';
import { body, intQuery, requireUser, stringQuery } from '../request-context.js';
import { idParam } from './auth-routes.js';
import type { RouteDeps } from './route-deps.js';

/**
 * Threads (a thread's pages, following it and my read position in it, the threads I follow) and a member's own settings of a
 * conversation (mute, archive; a group's rule for @all).
 */
export function threadRoutes(deps: RouteDeps): Router {
  const router = new Router();
  const seqRange = { min: 0, max: Number.MAX_SAFE_INTEGER };
  const thread = (ctx: { params: Record<string, string | undefined> }) =>
    [idParam(ctx.params.id), idParam(ctx.params.rootId)] as const;

  router.get('/v1/conversations/:id/threads/:rootId/messages', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.threads.page(me.userId, ...thread(ctx), {
      before: intQuery(ctx, 'before', seqRange),
      after: intQuery(ctx, 'after', seqRange),
      limit: intQuery(ctx, 'limit', { min: 1, max: 100 }) ?? 50,
    });
  });

  router.put('/v1/conversations/:id/threads/:rootId/follow', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    await deps.threads.follow(me.userId, ...thread(ctx));
    ctx.status = 204;
  });

  router.delete('/v1/conversations/:id/threads/:rootId/follow', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    await deps.threads.unfollow(me.userId, ...thread(ctx));
    ctx.status = 204;
  });

  const readBody = compileValidator<{ seq: number }>(
    object(['seq'], { seq: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } }),
  );
  router.post('/v1/conversations/:id/threads/:rootId/read', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const [id, rootId] = thread(ctx);
    ctx.body = await deps.threads.markRead(me.userId, id, rootId, body(ctx, readBody).seq);
  });

  router.get('/v1/threads', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const limit = intQuery(ctx, 'limit', { min: 1, max: 100 }) ?? 50;
    ctx.body = await deps.threads.followed(me.userId, limit, stringQuery(ctx, 'cursor'));
  });

  router.get('/v1/threads/unread', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.threads.unread(me.userId);
  });

  const muteBody = compileValidator<{ until: MuteUntil }>(
    object(['until'], { until: { type: ['string', 'null'], minLength: 1, maxLength: 64 } }),
  );
  router.put('/v1/conversations/:id/mute', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const id = idParam(ctx.params.id);
    await deps.mutes.mute(me.userId, id, body(ctx, muteBody).until);
    ctx.body = await deps.conversations.get(me.userId, id);
  });

  const archiveBody = compileValidator<{ archived: boolean }>(object(['archived'], { archived: { type: 'boolean' } }));
  router.put('/v1/conversations/:id/archive', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const id = idParam(ctx.params.id);
    await deps.archives.archive(me.userId, id, body(ctx, archiveBody).archived);
    ctx.body = await deps.conversations.get(me.userId, id);
  });

  const mentionAllBody = compileValidator<{ membersMayMentionAll: boolean | null }>(
    object(['membersMayMentionAll'], { membersMayMentionAll: { type: ['boolean', 'null'] } }),
  );
  router.put('/v1/conversations/:id/mention-all', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const id = idParam(ctx.params.id);
    await deps.mentionAll.set(me.userId, id, body(ctx, mentionAllBody).membersMayMentionAll);
    ctx.body = await deps.conversations.get(me.userId, id);
  });

  return router;
}
