import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Message } from '../../sdk/protocol/message.js';
import type {
  FollowedThreadsResult,
  ThreadPageResult,
  ThreadReadResult,
  UnreadThreadsResult,
} from '../../sdk/protocol/threads.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import { isoTime } from '../core/iso-time.js';
import type { Database } from '../db/open-database.js';
import { afterPosition, keysetCursor, parseKeysetCursor } from '../db/keyset-cursor.js';
import type { EventBus } from '../bus/event-bus.js';
import { requireMembership } from '../conversations/membership.js';
import type { MessageRow } from '../conversations/message-row.js';
import { newestPosition, positionOf, unreadCounts, unreadThreadsOf } from '../threads/thread-read-positions.js';
import { MessageStore, type HistoryQuery } from './message-store.js';

/** The most threads with unread replies one answer names: far more than any badge shows. */
const UNREAD_THREADS_MAX = 1000;

interface FollowRow {
  conversation_id: string;
  root_id: string;
  created_at: number;
  last_read_seq: number | string;
}

/**
 * Threads as a member reads them: a thread's replies page by page (gapless, resumed by `after`
 * like history), following and unfollowing one, the threads one follows with what is new in each,
 * and one's read position in a followed thread.
 */
@injectable()
export class ThreadService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(MessageStore) private readonly store: MessageStore,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
  ) {}

  /** The root (with its summary) and a page of its replies in ascending seq. */
  async page(userId: string, conversationId: string, rootId: string, q: HistoryQuery): Promise<ThreadPageResult> {
    if (q.before !== undefined && q.after !== undefined) {
      throw new SwitchboardError('invalid_request', 'Give before or after, not both.', {
        details: [{ path: '/query/after', message: 'cannot be combined with before' }],
      });
    }
    const root = await this.rootRow(userId, conversationId, rootId);
    const [page, [wireRoot], lastReadSeq] = await Promise.all([
      this.store.threadReplies(conversationId, rootId, q),
      this.store.withReactions(this.db.knex, [root]),
      positionOf(this.db.knex, userId, rootId),
    ]);
    return {
      root: wireRoot!,
      messages: page.messages,
      hasMore: page.hasMore,
      following: lastReadSeq !== null,
      lastReadSeq,
    };
  }

  /**
   * Follows a thread (the root of a live message), read up to its newest reply: only replies
   * after that are new. Following again changes nothing.
   */
  async follow(userId: string, conversationId: string, rootId: string): Promise<void> {
    const root = await this.rootRow(userId, conversationId, rootId);
    if (root.deleted_at !== null) throw new SwitchboardError('message_deleted', 'The thread root was deleted.');
    await this.db
      .knex('thread_followers')
      .insert({
        conversation_id: conversationId,
        root_id: rootId,
        user_id: userId,
        created_at: this.clock.now(),
        last_read_seq: await newestPosition(this.db.knex, { id: rootId, seq: Number(root.seq) }),
      })
      .onConflict(['root_id', 'user_id'])
      .ignore();
  }

  /**
   * Moves my read position in a thread I follow up to `seq` (never back, never past its newest
   * reply); my devices are told with a `thread.read` frame when it moved.
   */
  async markRead(userId: string, conversationId: string, rootId: string, seq: number): Promise<ThreadReadResult> {
    const root = await this.rootRow(userId, conversationId, rootId);
    const conversation = await this.db
      .knex('conversations')
      .where({ id: conversationId })
      .first<{ last_seq: number | string }>('last_seq');
    if (seq > Number(conversation.last_seq))
      throw new SwitchboardError('invalid_request', 'seq is past the newest message of the conversation.', {
        details: [{ path: '/seq', message: 'is past the newest message of the conversation' }],
      });
    const current = await positionOf(this.db.knex, userId, rootId);
    if (current === null) throw new SwitchboardError('thread_not_followed');
    const target = Math.min(seq, await newestPosition(this.db.knex, { id: rootId, seq: Number(root.seq) }));
    const moved =
      target > current &&
      (await this.db
        .knex('thread_followers')
        .where({ root_id: rootId, user_id: userId })
        .andWhere('last_read_seq', '<', target)
        .update({ last_read_seq: target })) > 0;
    // Another request may have moved it meanwhile, or the thread may have been unfollowed.
    const position = moved ? target : await positionOf(this.db.knex, userId, rootId);
    if (position === null) throw new SwitchboardError('thread_not_followed');
    const unreadCount = (await unreadCounts(this.db.knex, userId, [rootId])).get(rootId) ?? 0;
    const result = { conversationId, rootId, seq: position, unreadCount };
    if (moved) this.bus.publish({ type: 'thread.read', userId, ...result });
    return result;
  }

  /** Stops following a thread; my devices are told nothing is new to me there any more. */
  async unfollow(userId: string, conversationId: string, rootId: string): Promise<void> {
    await this.rootRow(userId, conversationId, rootId);
    const seq = await positionOf(this.db.knex, userId, rootId);
    const removed = await this.db.knex('thread_followers').where({ root_id: rootId, user_id: userId }).delete();
    if (removed > 0 && seq !== null)
      this.bus.publish({ type: 'thread.unread', conversationId, rootId, followers: [{ userId, seq, unreadCount: 0 }] });
  }

  /** The threads I follow that have unread replies, with my position and count in each (a badge's snapshot). */
  async unread(userId: string): Promise<UnreadThreadsResult> {
    const rows = await unreadThreadsOf(this.db.knex, userId, UNREAD_THREADS_MAX + 1);
    return {
      threads: rows
        .slice(0, UNREAD_THREADS_MAX)
        .map(({ conversationId, rootId, seq, unreadCount }) => ({ conversationId, rootId, seq, unreadCount })),
      hasMore: rows.length > UNREAD_THREADS_MAX,
    };
  }

  /**
   * The threads the user follows in conversations they are still a member of, most recently
   * followed first, each with its root and summary, my read position, what is new there and the
   * newest reply; `cursor` continues after a page's last one.
   */
  async followed(userId: string, limit: number, cursor: string | undefined): Promise<FollowedThreadsResult> {
    const query = this.db
      .knex('thread_followers as tf')
      .join('members as m', (on) => on.on('m.conversation_id', 'tf.conversation_id').andOn('m.user_id', 'tf.user_id'))
      .where('tf.user_id', userId)
      .orderBy([
        { column: 'tf.created_at', order: 'desc' },
        { column: 'tf.root_id', order: 'desc' },
      ])
      .limit(limit + 1)
      .select<FollowRow[]>('tf.conversation_id', 'tf.root_id', 'tf.created_at', 'tf.last_read_seq');
    if (cursor !== undefined) afterPosition(query, 'tf.created_at', 'tf.root_id', parseKeysetCursor(cursor));
    const rows = await query;
    const page = rows.slice(0, limit);
    const rootIds = page.map((r) => r.root_id);
    const [messages, unread] = await Promise.all([
      this.rootsAndLastReplies(rootIds),
      unreadCounts(this.db.knex, userId, rootIds),
    ]);
    const last = page.at(-1);
    return {
      threads: page.map((r) => {
        const root = messages.get(r.root_id)!;
        return {
          conversationId: r.conversation_id,
          root,
          followedAt: isoTime(Number(r.created_at)),
          lastReadSeq: Number(r.last_read_seq),
          unreadCount: unread.get(r.root_id) ?? 0,
          lastReply: root.thread ? (messages.get(root.thread.lastReplyId) ?? null) : null,
        };
      }),
      nextCursor: rows.length > limit && last ? keysetCursor({ at: Number(last.created_at), id: last.root_id }) : null,
    };
  }

  /** The roots (with their summaries) and their newest live replies, by id. */
  private async rootsAndLastReplies(rootIds: readonly string[]): Promise<Map<string, Message>> {
    const knex = this.db.knex;
    const roots = await this.store.withReactions(knex, await knex<MessageRow>('messages').whereIn('id', rootIds));
    const replyIds = roots.flatMap((r) => (r.thread ? [r.thread.lastReplyId] : []));
    const replies =
      replyIds.length === 0
        ? []
        : await this.store.withReactions(knex, await knex<MessageRow>('messages').whereIn('id', replyIds));
    return new Map([...roots, ...replies].map((m) => [m.id, m]));
  }

  /** A message of the conversation that can hold a thread (not itself a reply in one). */
  private async rootRow(userId: string, conversationId: string, rootId: string): Promise<MessageRow> {
    await requireMembership(this.db.knex, conversationId, userId);
    const root = await this.store.rowById(this.db.knex, conversationId, rootId);
    if (root.thread_root_id) throw new SwitchboardError('invalid_thread_root');
    return root;
  }
}
