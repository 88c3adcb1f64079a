import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { MAX_PINS_PER_CONVERSATION, type Pin } from '../../sdk/protocol/pins.js';
import { Tokens } from '../core/container-tokens.js';
import { isoTime } from '../core/iso-time.js';
import type { Database } from '../db/open-database.js';
import { ConversationWriter } from '../conversations/conversation-writer.js';
import { requireMembership } from '../conversations/membership.js';
import { refuseIfBlocked } from '../conversations/blocked-actions.js';
import type { MessageRow } from '../conversations/message-row.js';
import { appendSystemMessage } from '../conversations/system-message.js';
import { MessageStore } from './message-store.js';

interface PinRow {
  conversation_id: string;
  message_id: string;
  pinned_by: string;
  pinned_at: number;
  seq: number;
}

/**
 * Pinned messages (docs/protocol.md, "Pinned messages"). Any member pins or unpins, in direct
 * conversations and groups alike, as in Messenger. A pin or an unpin is announced by a system
 * message, so members learn of it live, on resume and in history as of any other change; deleting
 * a message drops its pin silently (MessageService.delete). A block closes a direct conversation
 * to pins and unpins both ways, as to sends: each announces itself to the other person.
 */
@injectable()
export class PinService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(ConversationWriter) private readonly writer: ConversationWriter,
    @inject(MessageStore) private readonly store: MessageStore,
  ) {}

  /** Pins a message; pinning it again answers the pin it has, with no second announcement. */
  async pin(userId: string, conversationId: string, messageId: string): Promise<Pin> {
    return this.writer.run(conversationId, async (ctx) => {
      await requireMembership(ctx.trx, conversationId, userId);
      await refuseIfBlocked(ctx, conversationId, userId, 'pin or unpin messages');
      const row = await this.store.rowById(ctx.trx, conversationId, messageId);
      if (row.deleted_at !== null) throw new SwitchboardError('message_deleted');
      if (row.content_type.startsWith('system.'))
        throw new SwitchboardError('invalid_operation', 'System messages cannot be pinned.');
      // A reply lives in its thread's panel: a pin opens its message in the timeline.
      if (row.thread_root_id != null)
        throw new SwitchboardError('invalid_operation', 'Thread replies cannot be pinned; pin the thread root.');
      const key = { conversation_id: conversationId, message_id: messageId };
      const had = await ctx.trx<PinRow>('pins').where(key).first<PinRow | undefined>();
      if (had) return this.toPin(ctx.trx, had, row);
      const [{ count }] = (await ctx.trx('pins').where({ conversation_id: conversationId }).count({ count: '*' })) as [
        { count: number | string },
      ];
      if (Number(count) >= MAX_PINS_PER_CONVERSATION)
        throw new SwitchboardError(
          'pin_limit_reached',
          `A conversation keeps at most ${MAX_PINS_PER_CONVERSATION} pins; unpin one first.`,
        );
      await appendSystemMessage(ctx, conversationId, userId, 'system.message_pinned', { messageId });
      const pin: PinRow = { ...key, pinned_by: userId, pinned_at: ctx.now, seq: ctx.lastSeq(conversationId) };
      await ctx.trx('pins').insert(pin);
      return this.toPin(ctx.trx, pin, row);
    });
  }

  /** Unpins a message; one that is not pinned (or no longer: deleted) is left as it is. */
  async unpin(userId: string, conversationId: string, messageId: string): Promise<void> {
    await this.writer.run(conversationId, async (ctx) => {
      await requireMembership(ctx.trx, conversationId, userId);
      await refuseIfBlocked(ctx, conversationId, userId, 'pin or unpin messages');
      await this.store.rowById(ctx.trx, conversationId, messageId);
      const removed = await ctx.trx('pins').where({ conversation_id: conversationId, message_id: messageId }).delete();
      if (removed > 0) await appendSystemMessage(ctx, conversationId, userId, 'system.message_unpinned', { messageId });
    });
  }

  /** The conversation's pins, newest first. */
  async list(userId: string, conversationId: string): Promise<Pin[]> {
    const knex = this.db.knex;
    await requireMembership(knex, conversationId, userId);
    const pins = await knex<PinRow>('pins').where({ conversation_id: conversationId }).orderBy('seq', 'desc');
    if (pins.length === 0) return [];
    const rows = await knex<MessageRow>('messages').whereIn(
      'id',
      pins.map((p) => p.message_id),
    );
    const messages = new Map((await this.store.withReactions(knex, rows)).map((m) => [m.id, m]));
    return pins.flatMap((p) => {
      const message = messages.get(p.message_id);
      return message ? [{ message, pinnedBy: p.pinned_by, pinnedAt: isoTime(Number(p.pinned_at)) }] : [];
    });
  }

  private async toPin(trx: Knex.Transaction, pin: PinRow, row: MessageRow): Promise<Pin> {
    const [message] = await this.store.withReactions(trx, [row]);
    return { message: message!, pinnedBy: pin.pinned_by, pinnedAt: isoTime(Number(pin.pinned_at)) };
  }
}
