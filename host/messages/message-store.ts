import { inject, injectable } from 'tsyringe';
import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Message } from '../../sdk/protocol/message.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import { withReactions, type MessageRow } from '../conversations/message-row.js';

export interface HistoryQuery {
  before?: number;
  after?: number;
  limit: number;
}

/** Read side of messages: pages of history and the changes since a pts. */
@injectable()
export class MessageStore {
  constructor(@inject(Tokens.Database) private readonly db: Database) {}

  /** Messages in ascending seq; `hasMore` looks past the page in the paging direction. */
  async history(conversationId: string, q: HistoryQuery): Promise<{ messages: Message[]; hasMore: boolean }> {
    return this.page({ conversation_id: conversationId }, q);
  }

  /** A thread's replies (tombstones included, so a page has no gaps), paged like history. */
  async threadReplies(
    conversationId: string,
    rootId: string,
    q: HistoryQuery,
  ): Promise<{ messages: Message[]; hasMore: boolean }> {
    return this.page({ conversation_id: conversationId, thread_root_id: rootId }, q);
  }

  private async page(where: Partial<MessageRow>, q: HistoryQuery): Promise<{ messages: Message[]; hasMore: boolean }> {
    const query = this.db
      .knex<MessageRow>('messages')
      .where(where)
      .limit(q.limit + 1);
    let rows: MessageRow[];
    if (q.after !== undefined) {
      rows = await query.andWhere('seq', '>', q.after).orderBy('seq', 'asc');
    } else {
      if (q.before !== undefined) query.andWhere('seq', '<', q.before);
      rows = (await query.orderBy('seq', 'desc')).reverse();
    }
    const hasMore = rows.length > q.limit;
    if (hasMore) rows = q.after !== undefined ? rows.slice(0, q.limit) : rows.slice(1);
    return { messages: await this.withReactions(this.db.knex, rows), hasMore };
  }

  /**
   * Every message changed after `pts` (each once, in its latest state, in pts order), if
   * `userId` is still a member. At most `limit` rows.
   */
  async changesSince(conversationId: string, userId: string, pts: number, limit: number): Promise<MessageRow[]> {
    const knex = this.db.knex;
    return await knex<MessageRow>('messages')
      .where({ conversation_id: conversationId })
      .andWhere('pts', '>', pts)
      .whereExists(knex('members').where({ conversation_id: conversationId, user_id: userId }).select(knex.raw('1')))
      .orderBy('pts', 'asc')
      .limit(limit);
  }

  async exists(conversationId: string, senderId: string, clientMsgId: string): Promise<boolean> {
    const row: unknown = await this.db
      .knex('messages')
      .where({ conversation_id: conversationId, sender_id: senderId, client_msg_id: clientMsgId })
      .first('id');
    return !!row;
  }

  async rowById(trx: Knex | Knex.Transaction, conversationId: string, messageId: string): Promise<MessageRow> {
    const row = await trx<MessageRow>('messages')
      .where({ id: messageId, conversation_id: conversationId })
      .first<MessageRow | undefined>();
    if (!row) throw new SwitchboardError('message_not_found');
    return row;
  }

  /** Rows as wire messages with their reactions (the conversion lives in conversations/, which lists them too). */
  async withReactions(trx: Knex | Knex.Transaction, rows: readonly MessageRow[]): Promise<Message[]> {
    return withReactions(trx, rows);
  }
}
