import { Router } from '@koa/router';
import type { ForwardOf } from '../../../sdk/protocol/message.js';
import type { MessageContent } from '../../../sdk/protocol/message.js';
import { compileValidator } from '../../validation/validator.js';
import {
  attachmentIdsSchema,
  contentSchema,
  forwardOfSchema,
  idSchema,
  object,
  titleSchema,
} from '../../validation/schemas.js';
import { boolQuery, body, intQuery, requireUser, stringQuery } from '../request-context.js';
import { idParam } from './auth-routes.js';
import type { RouteDeps } from './route-deps.js';

/** Conversations, their members, and history and sending over HTTP (for bots and backends). */
export function conversationRoutes(deps: RouteDeps): Router {
  const router = new Router({ prefix: '/v1/conversations' });
  const maxIds = deps.config.conversations.maxGroupMembers;
  const directBody = compileValidator<{ userId: string }>(object(['userId'], { userId: idSchema }));
  const groupBody = compileValidator<{ title: string; memberIds?: string[] }>(
    object(['title'], {
      title: titleSchema,
      memberIds: { type: 'array', maxItems: maxIds, items: idSchema },
    }),
  );
  const titleBody = compileValidator<{ title: string }>(object(['title'], { title: titleSchema }));
  const addBody = compileValidator<{ userIds: string[]; role?: 'admin' | 'member' }>(
    object(['userIds'], {
      userIds: { type: 'array', minItems: 1, maxItems: maxIds, items: idSchema },
      role: { enum: ['admin', 'member'] },
    }),
  );
  const roleBody = compileValidator<{ role: 'owner' | 'admin' | 'member' }>(
    object(['role'], { role: { enum: ['owner', 'admin', 'member'] } }),
  );
  const sendBody = compileValidator<{
    clientMsgId: string;
    content?: MessageContent;
    forwardOf?: ForwardOf;
    replyToId?: string;
    threadRootId?: string;
    attachmentIds?: string[];
  }>(
    // content or forwardOf, exactly one: the service checks it (forward-source.ts).
    object(['clientMsgId'], {
      clientMsgId: idSchema,
      content: contentSchema(deps.config.messages.maxTextLength, { emptyText: true }),
      forwardOf: forwardOfSchema,
      replyToId: idSchema,
      threadRootId: idSchema,
      attachmentIds: attachmentIdsSchema(deps.config.attachments.maxPerMessage),
    }),
  );
  const seqRange = { min: 0, max: Number.MAX_SAFE_INTEGER };

  router.get('/', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const limit = intQuery(ctx, 'limit', { min: 1, max: 200 });
    const [archived, cursor] = [boolQuery(ctx, 'archived'), stringQuery(ctx, 'cursor')];
    ctx.body = await deps.conversations.page(me.userId, { archived, limit, cursor });
  });

  router.post('/direct', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.conversations.direct(me.userId, body(ctx, directBody).userId);
  });

  router.post('/', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const input = body(ctx, groupBody);
    ctx.status = 201;
    ctx.body = await deps.conversations.createGroup(me.userId, input.title, input.memberIds ?? []);
  });

  router.get('/:id', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.conversations.get(me.userId, idParam(ctx.params.id));
  });

  router.patch('/:id', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.groups.setTitle(me.userId, idParam(ctx.params.id), body(ctx, titleBody).title);
  });

  router.get('/:id/members', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const after = typeof ctx.query.after === 'string' ? idParam(ctx.query.after) : undefined;
    ctx.body = await deps.conversations.members(
      me.userId,
      idParam(ctx.params.id),
      after,
      intQuery(ctx, 'limit', { min: 1, max: 500 }) ?? 100,
    );
  });

  router.post('/:id/members', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const input = body(ctx, addBody);
    ctx.body = await deps.groups.addMembers(me.userId, idParam(ctx.params.id), input.userIds, input.role ?? 'member');
  });

  router.patch('/:id/members/:userId', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.groups.setRole(
      me.userId,
      idParam(ctx.params.id),
      idParam(ctx.params.userId),
      body(ctx, roleBody).role,
    );
  });

  router.delete('/:id/members/:userId', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    await deps.groups.removeMember(me.userId, idParam(ctx.params.id), idParam(ctx.params.userId));
    ctx.status = 204;
  });

  router.post('/:id/leave', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    await deps.groups.leave(me.userId, idParam(ctx.params.id));
    ctx.status = 204;
  });

  router.get('/:id/messages', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = await deps.messages.history(me.userId, idParam(ctx.params.id), {
      before: intQuery(ctx, 'before', seqRange),
      after: intQuery(ctx, 'after', seqRange),
      limit: intQuery(ctx, 'limit', { min: 1, max: 100 }) ?? 50,
    });
  });

  const commandBody = compileValidator<{ text: string; idempotencyKey?: string }>(
    object(['text'], {
      text: { type: 'string', minLength: 2, maxLength: 4000 },
      idempotencyKey: { type: 'string', minLength: 1, maxLength: 128 },
    }),
  );
  router.get('/:id/commands', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    ctx.body = { commands: await deps.commands.list(me.userId, idParam(ctx.params.id)) };
  });

  router.post('/:id/commands', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const command = body(ctx, commandBody);
    ctx.body = await deps.commands.invoke(
      me.userId,
      idParam(ctx.params.id),
      command.text,
      command.idempotencyKey ?? null,
    );
  });

  const postbackBody = compileValidator<{ messageId: string; buttonId: string }>(
    object(['messageId', 'buttonId'], {
      messageId: idSchema,
      buttonId: { type: 'string', minLength: 1, maxLength: 64 },
    }),
  );
  router.post('/:id/postbacks', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const input = body(ctx, postbackBody);
    ctx.body = await deps.postbacks.tap(me.userId, idParam(ctx.params.id), input.messageId, input.buttonId);
  });

  router.post('/:id/messages', async (ctx) => {
    const me = await requireUser(ctx, deps.tokens);
    const input = body(ctx, sendBody);
    const result = await deps.messages.send(me.userId, { conversationId: idParam(ctx.params.id), ...input });
    ctx.status = result.duplicate ? 200 : 201;
    ctx.body = result;
  });

  return router;
}
