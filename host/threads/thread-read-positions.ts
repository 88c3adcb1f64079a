import type { Knex } from 'knex';

type Db = Knex | Knex.Transaction;

/**
 * Where a follower's read position stands at the newest reply of a thread (deleted ones too: a
 * position is a seq), or at the root while it has none.
 */
export async function newestPosition(db: Db, root: { id: string; seq: number }): Promise<number> {
  const row = await db('messages').where('thread_root_id', root.id).max({ seq: 'seq' }).first<{ seq: unknown }>();
  return row?.seq === null || row?.seq === undefined ? root.seq : Number(row.seq);
}

/** A follower's position in a thread, or null when they do not follow it. */
export async function positionOf(db: Db, userId: string, rootId: string): Promise<number | null> {
  const row = await db('thread_followers')
    .where({ root_id: rootId, user_id: userId })
    .first<{ last_read_seq: number | string } | undefined>('last_read_seq');
  return row ? Number(row.last_read_seq) : null;
}

/**
 * Joins to a follow `tf` its follower's unread replies `m`: of the same thread, past their read
 * position, not deleted, not their own. Every count of unread replies joins through this one, so
 * the badge, the Threads list and the live frames cannot count differently.
 */
function unreadReplies(on: Knex.JoinClause): void {
  on.on('m.thread_root_id', 'tf.root_id')
    .andOn('m.seq', '>', 'tf.last_read_seq')
    .andOnNull('m.deleted_at')
    .andOn('m.sender_id', '<>', 'tf.user_id');
}

/**
 * The follower's unread replies of each of these threads (after their position, sent by others,
 * not deleted), in one query: each thread's range of the (thread_root_id, seq) index. Threads
 * with none are missing.
 */
export async function unreadCounts(db: Db, userId: string, rootIds: readonly string[]): Promise<Map<string, number>> {
  if (rootIds.length === 0) return new Map();
  const rows = await db('thread_followers as tf')
    .join('messages as m', unreadReplies)
    .where('tf.user_id', userId)
    .whereIn('tf.root_id', rootIds)
    .groupBy('tf.root_id')
    .select('tf.root_id')
    .count({ unread: '*' });
  return new Map((rows as { root_id: string; unread: number | string }[]).map((r) => [r.root_id, Number(r.unread)]));
}

/** A follower's position in a thread and their unread replies there. */
export interface FollowerPosition {
  userId: string;
  conversationId: string;
  rootId: string;
  seq: number;
  unreadCount: number;
}

/**
 * The followed threads (in conversations the user is still a member of) that have unread replies,
 * most recently followed first, at most `limit` of them; each thread is a range of the
 * (thread_root_id, seq) index.
 */
export async function unreadThreadsOf(db: Db, userId: string, limit: number): Promise<FollowerPosition[]> {
  const rows = await db('thread_followers as tf')
    .join('members as mb', (on) => on.on('mb.conversation_id', 'tf.conversation_id').andOn('mb.user_id', 'tf.user_id'))
    .join('messages as m', unreadReplies)
    .where('tf.user_id', userId)
    .groupBy('tf.conversation_id', 'tf.root_id', 'tf.last_read_seq', 'tf.created_at')
    .orderBy([
      { column: 'tf.created_at', order: 'desc' },
      { column: 'tf.root_id', order: 'desc' },
    ])
    .limit(limit)
    .select('tf.conversation_id', 'tf.root_id', 'tf.last_read_seq')
    .count({ unread: '*' });
  return (rows as PositionRow[]).map((r) => positionOfRow({ ...r, user_id: userId }));
}

/**
 * Every follower's position and unread count in each of these threads (those still members of
 * the conversation), in one query: what a reply sent or deleted there changed for each of them.
 */
export async function followerPositions(db: Db, rootIds: readonly string[]): Promise<FollowerPosition[]> {
  if (rootIds.length === 0) return [];
  const rows = await db('thread_followers as tf')
    .join('members as mb', (on) => on.on('mb.conversation_id', 'tf.conversation_id').andOn('mb.user_id', 'tf.user_id'))
    .leftJoin('messages as m', unreadReplies)
    .whereIn('tf.root_id', rootIds)
    .groupBy('tf.user_id', 'tf.conversation_id', 'tf.root_id', 'tf.last_read_seq')
    .select('tf.user_id', 'tf.conversation_id', 'tf.root_id', 'tf.last_read_seq')
    .count({ unread: 'm.id' });
  return (rows as PositionRow[]).map(positionOfRow);
}

interface PositionRow {
  user_id: string;
  conversation_id: string;
  root_id: string;
  last_read_seq: number | string;
  unread: number | string;
}

function positionOfRow(r: PositionRow): FollowerPosition {
  return {
    userId: r.user_id,
    conversationId: r.conversation_id,
    rootId: r.root_id,
    seq: Number(r.last_read_seq),
    unreadCount: Number(r.unread),
  };
}
