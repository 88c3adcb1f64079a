import type { Knex } from 'knex';
import type { Message, ThreadSummary } from '../../sdk/protocol/message.js';
import { isoTime } from '../core/iso-time.js';

const ROOTS_PER_QUERY = 500;

interface SummaryRow {
  thread_root_id: string;
  reply_count: number | string;
  id: string;
  sender_id: string;
  created_at: number | string;
}

/**
 * The thread summaries of the roots among `messages` (reply count and last reply, deleted replies
 * left out), in one query per page: each root's replies are a range of the (thread_root_id, seq)
 * index. Replies are never roots, so they are not asked about. Messages without replies keep
 * `thread: null`. History, last messages, resume, thread pages and search results all pass here.
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

/** Summaries by root id (roots without live replies are missing). */
export async function summariesOf(
  db: Knex | Knex.Transaction,
  rootIds: readonly string[],
): Promise<Map<string, ThreadSummary>> {
  // The last live reply is the one with the highest seq; seq is unique in the conversation, and a
  // root's replies are all in the root's conversation, so (root, seq) names exactly one row.
  const counts = db('messages')
    .whereIn('thread_root_id', rootIds)
    .whereNull('deleted_at')
    .groupBy('thread_root_id')
    .select('thread_root_id')
    .count({ reply_count: '*' })
    .max({ last_seq: 'seq' })
    .as('s');
  const rows = await db
    .from(counts)
    .join('messages as l', (on) => on.on('l.thread_root_id', 's.thread_root_id').andOn('l.seq', 's.last_seq'))
    .select<SummaryRow[]>('s.thread_root_id', 's.reply_count', 'l.id', 'l.sender_id', 'l.created_at');
  return new Map(
    rows.map((r) => [
      r.thread_root_id,
      {
        replyCount: Number(r.reply_count),
        lastReplyId: r.id,
        lastReplySenderId: r.sender_id,
        lastReplyAt: isoTime(Number(r.created_at)),
      },
    ]),
  );
}
