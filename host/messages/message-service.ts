import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Message, MessageContent } from '../../sdk/protocol/message.js';
import type { HistoryResult, SendResult } from '../../sdk/protocol/frames.js';
import { Tokens } from '../core/container-tokens.js';
import type { BeforeStoreHooks } from '../core/extension-points.js';
import type { Database } from '../db/open-database.js';
import { requireMembership } from '../conversations/membership.js';
import { refuseIfBlocked } from '../conversations/blocked-actions.js';
import { ConversationWriter } from '../conversations/conversation-writer.js';
import { MessageStore, type HistoryQuery } from './message-store.js';
import { storeContent } from '../conversations/message-row.js';
import { MessageTypeRegistry } from './message-type-registry.js';
import type { HostConfig } from '../config/host-config.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { MemberDirectory } from '../conversations/member-directory.js';
import { compileValidator } from '../validation/validator.js';
import { contentSchema } from '../validation/schemas.js';
import { assertInputStrings } from '../validation/input-strings.js';
import { assertTextOrAttachments } from '../attachments/send-attachments.js';
import { resolveMentions, storedEntities } from '../mentions/mention-resolver.js';
import { assertContentOrForward, forwardSource, type ForwardSource, type SendRequest } from './forward-source.js';
import { tombstone } from './message-tombstone.js';

/**
 * Sending, editing, deleting, reacting: what a member does to messages (and the operator's
 * deletion). Reading and typing are ReadAndTyping's.
 */
@injectable()
export class MessageService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(MessageTypeRegistry) private readonly types: MessageTypeRegistry,
    @inject(ConversationWriter) private readonly writer: ConversationWriter,
    @inject(MessageStore) private readonly store: MessageStore,
    @inject(Tokens.BeforeStoreHooks) private readonly hooks: BeforeStoreHooks,
    @inject(MemberDirectory) private readonly members: MemberDirectory,
    @inject(Tokens.Config) config: HostConfig,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
  ) {
    this.validateContent = compileValidator<MessageContent>(contentSchema(config.messages.maxTextLength));
    this.allowAllForMembers = config.mentions.allowAllForMembers;
    this.maxAttachments = config.attachments.maxPerMessage;
  }

  private readonly allowAllForMembers: boolean;
  /** `attachments.maxPerMessage`: the frame and body schemas check people's sends; this, plugins'. */
  private readonly maxAttachments: number;

  /** Checks content a hook produced, as a frame's content is checked. */
  private readonly validateContent: (value: unknown) => MessageContent;

  async send(
    userId: string,
    input: SendRequest & { conversationId: string; clientMsgId: string; replyToId?: string; threadRootId?: string },
  ): Promise<SendResult> {
    const startedAt = performance.now();
    assertContentOrForward(input);
    const forwardOf = input.forwardOf;
    let source: ForwardSource | null = null;
    if (forwardOf) {
      try {
        source = await forwardSource(this.db.knex, userId, forwardOf);
      } catch (err) {
        // A resend of a forward stored before its source was deleted still returns the forward.
        if (!(
          err instanceof SwitchboardError && (await this.store.exists(input.conversationId, userId, input.clientMsgId))
        ))
          throw err;
      }
    }
    // A resend whose source is gone sends nothing new: the writer answers with the stored message.
    const content = source?.content ?? input.content ?? { type: 'text', text: '' };
    this.assertClientContent(content, userId);
    const attachmentIds = input.attachmentIds ?? [];
    if (attachmentIds.length > this.maxAttachments) throw tooManyAttachments(this.maxAttachments);
    if (!forwardOf) assertTextOrAttachments(content, attachmentIds);
    const replyToId = input.replyToId ?? null;
    const threadRootId = input.threadRootId ?? null;
    const requested = storeContent(content);
    // A forward is identified by what it names: its source may be edited before a resend.
    const hash = createHash('sha256').update(
      forwardOf
        ? `forward\u0000${forwardOf.conversationId}\u0000${forwardOf.messageId}\u0000${replyToId ?? ''}`
        : `${requested.contentType}\u0000${requested.content}\u0000${replyToId ?? ''}`,
    );
    // Appended only when set, so the hashes of messages stored before threads existed still match.
    if (threadRootId !== null) hash.update(`\u0000thread:${threadRootId}`);
    if (attachmentIds.length > 0) hash.update(`\u0000attachments:${attachmentIds.join(',')}`);
    const requestHash = hash.digest('hex');
    let stored = requested;
    if (this.hooks.active) {
      // Only members' messages reach plugins.
      if (!(await this.members.isMember(input.conversationId, userId)))
        throw new SwitchboardError('conversation_not_found');
      try {
        const changed = await this.hooks.run({
          conversationId: input.conversationId,
          senderId: userId,
          content,
          replyToId,
          editOf: null,
        });
        if (changed !== content) {
          this.validateContent(changed);
          this.assertClientContent(changed, userId);
          stored = storeContent(changed);
        }
      } catch (err) {
        // A resend of a message stored before a hook changed its mind still returns the original.
        const resend =
          err instanceof SwitchboardError &&
          err.code === 'message_rejected' &&
          (await this.store.exists(input.conversationId, userId, input.clientMsgId));
        if (!resend) throw err;
      }
    }
    const result = await this.writer.send({
      conversationId: input.conversationId,
      senderId: userId,
      clientMsgId: input.clientMsgId,
      contentType: stored.contentType,
      content: stored.content,
      replyToId,
      threadRootId,
      attachmentIds,
      requestHash,
      forward: source?.copy ?? null,
    });
    this.metrics.sendAcknowledged(startedAt);
    return result;
  }

  async edit(userId: string, conversationId: string, messageId: string, content: MessageContent): Promise<Message> {
    this.assertClientContent(content, userId);
    let stored = storeContent(content);
    if (this.hooks.active) {
      // An edit stores new content, so it passes the same hooks as a send.
      if (!(await this.members.isMember(conversationId, userId))) throw new SwitchboardError('conversation_not_found');
      const changed = await this.hooks.run({
        conversationId,
        senderId: userId,
        content,
        replyToId: null,
        editOf: messageId,
      });
      if (changed !== content) {
        this.validateContent(changed);
        this.assertClientContent(changed, userId);
        stored = storeContent(changed);
      }
    }
    return this.writer.run(conversationId, async (ctx) => {
      await requireMembership(ctx.trx, conversationId, userId);
      const row = await this.store.rowById(ctx.trx, conversationId, messageId);
      if (row.sender_id !== userId) throw new SwitchboardError('forbidden', 'Only the sender may edit a message.');
      if (row.deleted_at !== null) throw new SwitchboardError('message_deleted');
      if (row.content_type.startsWith('system.'))
        throw new SwitchboardError('invalid_operation', 'System messages cannot be edited.');
      // The copy of someone else's words stays as they wrote it.
      if (row.forwarded_at != null)
        throw new SwitchboardError('invalid_operation', 'Forwarded messages cannot be edited.');
      if (
        (row.content_type === 'text') !== (stored.contentType === 'text') ||
        (row.content_type !== 'text' && row.content_type !== stored.contentType)
      ) {
        throw new SwitchboardError(
          'invalid_operation',
          `A ${row.content_type} message can only be edited into the same type.`,
        );
      }
      // An edit is parsed again: mentions added or removed with the text change with it.
      const [mentioned] = await resolveMentions(
        ctx.trx,
        [{ conversationId, senderId: userId, ...stored }],
        this.allowAllForMembers,
      );
      if (!mentioned!.ok) throw mentioned!.error;
      const pts = ctx.nextPts(conversationId);
      const change = {
        content: stored.content,
        entities: storedEntities(mentioned!.entities),
        edited_at: ctx.now,
        pts,
      };
      Object.assign(row, change);
      await ctx.trx('messages').where({ id: messageId }).update(change);
      const [message] = await this.store.withReactions(ctx.trx, [row]);
      ctx.emit({ type: 'message.changed', conversationId, pts, change: 'edited', message: message! });
      return message!;
    });
  }

  async delete(userId: string, conversationId: string, messageId: string): Promise<Message> {
    return this.writer.run(conversationId, async (ctx) => {
      const membership = await requireMembership(ctx.trx, conversationId, userId);
      const row = await this.store.rowById(ctx.trx, conversationId, messageId);
      if (row.deleted_at !== null) return (await this.store.withReactions(ctx.trx, [row]))[0]!;
      const moderator = membership.role === 'owner' || membership.role === 'admin';
      if (row.sender_id !== userId && !moderator)
        throw new SwitchboardError('forbidden', 'Only the sender, or a group owner or admin, may delete a message.');
      if (row.content_type.startsWith('system.'))
        throw new SwitchboardError('invalid_operation', 'System messages cannot be deleted.');
      return tombstone(ctx, this.store, row);
    });
  }

  /**
   * The operator deletes a message it is no member of (resolving a report): a tombstone as any
   * other deletion. A message deleted already is answered as it is.
   */
  async deleteByOperator(conversationId: string, messageId: string): Promise<Message> {
    return this.writer.run(conversationId, async (ctx) => {
      const row = await this.store.rowById(ctx.trx, conversationId, messageId);
      if (row.deleted_at !== null) return (await this.store.withReactions(ctx.trx, [row]))[0]!;
      return tombstone(ctx, this.store, row);
    });
  }

  async react(
    userId: string,
    conversationId: string,
    messageId: string,
    emoji: string,
    op: 'add' | 'remove',
  ): Promise<Message> {
    return this.writer.run(conversationId, async (ctx) => {
      await requireMembership(ctx.trx, conversationId, userId);
      // Taking one's own reaction back stays possible, as deleting one's own message does.
      if (op === 'add') await refuseIfBlocked(ctx, conversationId, userId, 'react to messages');
      const row = await this.store.rowById(ctx.trx, conversationId, messageId);
      if (row.deleted_at !== null) throw new SwitchboardError('message_deleted');
      const key = { message_id: messageId, user_id: userId, emoji };
      const had: unknown = await ctx.trx('reactions').where(key).first();
      if ((op === 'add') === !!had) return (await this.store.withReactions(ctx.trx, [row]))[0]!;
      if (op === 'add') await ctx.trx('reactions').insert({ ...key, created_at: ctx.now });
      else await ctx.trx('reactions').where(key).delete();
      const pts = ctx.nextPts(conversationId);
      row.pts = pts;
      await ctx.trx('messages').where({ id: messageId }).update({ pts });
      const [message] = await this.store.withReactions(ctx.trx, [row]);
      ctx.emit({ type: 'message.changed', conversationId, pts, change: 'reaction', message: message! });
      return message!;
    });
  }

  async history(userId: string, conversationId: string, q: HistoryQuery): Promise<HistoryResult> {
    if (q.before !== undefined && q.after !== undefined) {
      throw new SwitchboardError('invalid_request', 'Give before or after, not both.', {
        details: [{ path: '/after', message: 'cannot be combined with before' }],
      });
    }
    await requireMembership(this.db.knex, conversationId, userId);
    return this.store.history(conversationId, q);
  }

  private assertClientContent(content: MessageContent, senderId: string): void {
    // Clients' frames and bodies were checked whole; this covers plugins, apps and hooks.
    assertInputStrings(content, '/content');
    if (content.type.startsWith('system.')) {
      throw new SwitchboardError('unknown_message_type', 'system.* messages are written only by the host.', {
        details: [{ path: '/content/type', message: 'is reserved for the host' }],
      });
    }
    this.types.assertSendable(content, senderId);
  }
}

function tooManyAttachments(max: number): SwitchboardError {
  return new SwitchboardError('invalid_request', `A message carries at most ${max} attachments.`, {
    details: [{ path: '/attachmentIds', message: `must have at most ${max} items` }],
  });
}
