import type { Knex } from 'knex';
import type { Message, ThreadSummary } from '../../sdk/protocol/message.js';
import { isoTime } from '../core/iso-time.js';

const ROOTS_PER_QUERY = 500;

interface CountRow {
  thread_root_id: string;
  reply_count: number | string;
  last_seq: number | string;
}

interface LastReplyRow {
  thread_root_id: string;
  seq: number | string;
  id: string;
  sender_id: string;
  created_at: number | string;
}

/**
 * The thread summaries of the roots among `messages` (reply count and last reply, deleted replies
 * left out), in two queries per 500 roots, each reading only those roots' ranges of the partial
 * (thread_root_id, seq) index of replies (summariesOf). Replies are never roots, so they are not
 * asked about. Messages without replies keep `thread: null`. History, last messages, resume,
 * thread pages and search results all pass here.
 */
export async function withThreadSummaries(db: Knex | Knex.Transaction, messages: Message[]): Promise<Message[]> {
  const roots = messages.filter((m) => m.threadRootId === null).map((m) => m.id);
  if (roots.length === 0) return messages;
  const summaries = new Map<string, ThreadSummary>();
  for (let i = 0; i < roots.length; i += ROOTS_PER_QUERY) {
    for (const [id, summary] of await summariesOf(db, roots.slice(i, i + ROOTS_PER_QUERY))) summaries.set(id, summary);
  }
  if (summaries.size === 0) return messages;
  return messages.map((m) => {
    const thread = summaries.get(m.id);
    return thread ? { ...m, thread } : m;
  });
}

/**
 * Summaries by root id (roots without live replies are missing). Two queries, each reading only
 * the roots' ranges of the replies index (`thread_root_id in (...)` proves the index's `is not
 * null` to both planners): the count and last seq of each root's live replies, then the replies at
 * those seqs. PostgreSQL takes the index for hundreds of roots only with statistics on
 * thread_root_id (0016 analyzes the table); without, it guesses 0.5 % of the table a root.
 */
export async function summariesOf(
  db: Knex | Knex.Transaction,
  rootIds: readonly string[],
): Promise<Map<string, ThreadSummary>> {
  const summaries = new Map<string, ThreadSummary>();
  if (rootIds.length === 0) return summaries;
  const counts = await db('messages')
    .whereIn('thread_root_id', rootIds)
    .whereNull('deleted_at')
    .groupBy('thread_root_id')
    .select('thread_root_id')
    .count({ reply_count: '*' })
    .max<CountRow[]>({ last_seq: 'seq' });
  if (counts.length === 0) return summaries;
  // The last live reply is the one with the highest seq; seq is unique in the conversation, and a
  // root's replies are all in the root's conversation, so (root, seq) names exactly one row. The
  // two lists are filtered apart, so a row can pair a root with another root's seq: the pairs are
  // matched here. `+seq` keeps the seqs out of the index seek: SQLite (no statistics) would seek
  // every pair of the two lists, 250,000 seeks (30 ms) for 500 roots, where each root's range of
  // replies is read once. PostgreSQL filters them the same way.
  const byRoot = new Map(counts.map((c) => [c.thread_root_id, c]));
  const lastSeqs = [...new Set(counts.map((c) => Number(c.last_seq)))];
  const lastReplies = await db('messages')
    .whereIn('thread_root_id', [...byRoot.keys()])
    .whereRaw(`+?? in (${lastSeqs.map(() => '?').join(', ')})`, ['seq', ...lastSeqs])
    .select<LastReplyRow[]>('thread_root_id', 'seq', 'id', 'sender_id', 'created_at');
  for (const r of lastReplies) {
    const count = byRoot.get(r.thread_root_id);
    if (!count || Number(count.last_seq) !== Number(r.seq)) continue;
    summaries.set(r.thread_root_id, {
      replyCount: Number(count.reply_count),
      lastReplyId: r.id,
      lastReplySenderId: r.sender_id,
      lastReplyAt: isoTime(Number(r.created_at)),
    });
  }
  return summaries;
}
