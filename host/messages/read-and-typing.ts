import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { ReadResult } from '../../sdk/protocol/frames.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import type { EventBus } from '../bus/event-bus.js';
import { requireMembership } from '../conversations/membership.js';

/**
 * Reading and typing: what a member tells the others live, with nothing stored for the others
 * (a read moves only the reader's own watermark).
 *
 * A block (conversations.blocked) keeps both from the other member of the pair. The flag is read
 * in the statement each already makes (typing its membership check, a read the conversation's
 * newest seq), joined by the conversation's primary key: no round trip is added, and the answer
 * is the database's at that moment on every host alike. An in-memory set of blocked conversations
 * would save only that index lookup, and would have to be kept right on every host through the
 * bus, outages included (events missed, reordered between hosts): more to get wrong for nothing
 * measurable. The decision is the publisher's: typing in a blocked conversation is not published
 * at all, and a receipt is marked so that delivery (delivery.ts) gives it to the reader's own
 * devices only.
 */
@injectable()
export class ReadAndTyping {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
  ) {}

  /** Moves the caller's read watermark forward (never back, never past the newest message). */
  async markRead(userId: string, conversationId: string, seq: number): Promise<ReadResult> {
    const knex = this.db.knex;
    const membership = await requireMembership(knex, conversationId, userId);
    const conversation = await knex('conversations')
      .where({ id: conversationId })
      .first<{ last_seq: number; blocked: boolean | number }>('last_seq', 'blocked');
    const target = Math.min(seq, conversation.last_seq);
    if (target <= membership.read_seq) return { conversationId, seq: membership.read_seq };
    const updated = await knex('members')
      .where({ conversation_id: conversationId, user_id: userId })
      .andWhere('read_seq', '<', target)
      .update({ read_seq: target });
    if (updated === 0) {
      const fresh = await requireMembership(knex, conversationId, userId);
      return { conversationId, seq: fresh.read_seq };
    }
    // Stored all the same: the reader's own devices clear their counts from the receipt.
    this.bus.publish({
      type: 'receipt',
      conversationId,
      userId,
      seq: target,
      ...(conversation.blocked ? { ownOnly: true } : {}),
    });
    return { conversationId, seq: target };
  }

  /** Tells the other members; typing is not stored, and not told across a block. */
  async typing(userId: string, conversationId: string, state: 'started' | 'stopped'): Promise<void> {
    const row = await this.db
      .knex('members as m')
      .join('conversations as c', 'c.id', 'm.conversation_id')
      .where({ 'm.conversation_id': conversationId, 'm.user_id': userId })
      .first<{ blocked: boolean | number } | undefined>('c.blocked');
    if (!row) throw new SwitchboardError('conversation_not_found');
    if (row.blocked) return;
    this.bus.publish({ type: 'typing', conversationId, userId, state });
  }
}
