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
 * The follower's unread replies of each of these threads (after their position, sent by others,
 * not deleted), in one query: each thread's range of the (thread_root_id, seq) index. Threads
 * with none are missing.
 */
export async function unreadCounts(db: Db, userId: string, rootIds: readonly string[]): Promise<Map<string, number>> {
  if (rootIds.length === 0) return new Map();
  const rows = await db('thread_followers as tf')
    .join('messages as m', (on) => on.on('m.thread_root_id', 'tf.root_id').andOn('m.seq', '>', 'tf.last_read_seq'))
    .where('tf.user_id', userId)
    .whereIn('tf.root_id', rootIds)
    .whereNull('m.deleted_at')
    .whereNot('m.sender_id', userId)
    .groupBy('tf.root_id')
    .select('tf.root_id')
    .count({ unread: '*' });
  return new Map((rows as { root_id: string; unread: number | string }[]).map((r) => [r.root_id, Number(r.unread)]));
}
