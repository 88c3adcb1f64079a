import type { Knex } from 'knex';
import type { Message } from '../../sdk/protocol/message.js';
import type { HostEvent } from '../bus/event-bus.js';
import type { Counters } from './conversation-counters.js';
import { newMessageId, toWireMessage, type MessageRow, type ReactionRow } from './message-row.js';

/** What an operation may do inside the batch transaction. */
export interface WriteContext {
  readonly trx: Knex.Transaction;
  readonly now: number;
  readonly isPostgres: boolean;
  /**
   * Whether a block closes the declared conversation (conversations.blocked, read with its lock
   * at the batch's start, which block and unblock take too): what reaches the other member of a
   * blocked pair (a reaction, a pin) is refused on it.
   */
  readonly blocked: boolean;
  /** Allocates the next pts of a conversation that this operation declared. */
  nextPts(conversationId: string): number;
  /** The newest seq of the conversation this operation declared, with what the batch appended so far. */
  lastSeq(conversationId: string): number;
  /** Inserts a host-written message (system messages) with the next seq and pts. */
  appendMessage(m: {
    conversationId: string;
    senderId: string;
    contentType: string;
    content: string;
  }): Promise<Message>;
  /** Queues an event; events are published in order after the commit. */
  emit(event: HostEvent): void;
}

/**
 * The context of one custom operation in a writer batch: it may number and append changes to the
 * conversation it declared only, and its events join the batch's, published after the commit.
 */
export function writeContext(
  trx: Knex.Transaction,
  now: number,
  isPostgres: boolean,
  declared: string,
  counters: Map<string, Counters>,
  events: HostEvent[],
  blocked: boolean,
): WriteContext {
  const countersOf = (conversationId: string) => {
    if (conversationId !== declared) throw new Error(`operation declared ${declared} but wrote to ${conversationId}`);
    return counters.get(conversationId)!;
  };
  const bump = (conversationId: string, withSeq: boolean) => {
    const c = countersOf(conversationId);
    c.dirty = true;
    return { seq: withSeq ? ++c.lastSeq : c.lastSeq, pts: ++c.lastPts };
  };
  return {
    trx,
    now,
    isPostgres,
    blocked,
    nextPts: (conversationId) => bump(conversationId, false).pts,
    lastSeq: (conversationId) => countersOf(conversationId).lastSeq,
    emit: (event) => events.push(event),
    appendMessage: async (m) => {
      const { seq, pts } = bump(m.conversationId, true);
      const row: MessageRow = {
        id: newMessageId(),
        conversation_id: m.conversationId,
        seq,
        created_pts: pts,
        pts,
        sender_id: m.senderId,
        client_msg_id: null,
        content_type: m.contentType,
        content: m.content,
        reply_to_id: null,
        created_at: now,
        edited_at: null,
        deleted_at: null,
      };
      await trx('messages').insert(row);
      const message = toWireMessage(row, [] as ReactionRow[]);
      events.push({ type: 'message.changed', conversationId: m.conversationId, pts, change: 'created', message });
      return message;
    },
  };
}
