import type { Knex } from 'knex';
import { batches } from '../db/batches.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/** What a batch of sends needs to know of the roots its thread replies name. */
export interface ThreadRoot {
  conversation_id: string;
  sender_id: string;
  thread_root_id: string | null;
  deleted_at: number | null;
}

/** The roots named by a batch's replies, by id, in one query (none when no send is a thread reply). */
export async function threadRootsOf(
  trx: Knex.Transaction,
  rootIds: readonly (string | null)[],
): Promise<Map<string, ThreadRoot>> {
  const ids = [...new Set(rootIds.filter((id): id is string => id !== null))];
  if (ids.length === 0) return new Map();
  const rows = await trx('messages')
    .whereIn('id', ids)
    .select<(ThreadRoot & { id: string })[]>('id', 'conversation_id', 'sender_id', 'thread_root_id', 'deleted_at');
  return new Map(rows.map((r) => [r.id, r]));
}

/**
 * Why a message cannot be the root of a reply in `conversationId`, or null when it can: it must be
 * a live message of that conversation, in its main timeline (threads are one level deep).
 */
export function threadRootProblem(root: ThreadRoot | undefined, conversationId: string): SwitchboardError | null {
  if (!root || root.conversation_id !== conversationId)
    return new SwitchboardError('message_not_found', 'threadRootId does not name a message in this conversation.');
  if (root.thread_root_id !== null)
    return new SwitchboardError('invalid_thread_root', 'threadRootId names a reply in a thread; reply under its root.');
  if (root.deleted_at !== null) return new SwitchboardError('message_deleted', 'The thread root was deleted.');
  return null;
}

interface FollowerRow {
  conversation_id: string;
  root_id: string;
  user_id: string;
  created_at: number;
  last_read_seq: number;
}

/**
 * The root's sender, everyone who replies and everyone a reply mentions by name follow the thread
 * (a mention in a thread would otherwise be cleared with the conversation's count, by someone who
 * never opened the thread); following twice changes nothing. A replier has read the thread up to
 * their reply, so their position moves there (never back); the root's sender or a person mentioned
 * who starts following through a reply starts just before it, so it is new to them.
 */
export async function followOnReply(
  trx: Knex.Transaction,
  replies: readonly {
    conversationId: string;
    rootId: string;
    rootSenderId: string;
    senderId: string;
    /** The members the reply mentions by name (not `@all`). */
    mentionedIds: readonly string[];
    seq: number;
  }[],
  now: number,
): Promise<void> {
  if (replies.length === 0) return;
  const repliers = new Map<string, FollowerRow>();
  const newcomers = new Map<string, FollowerRow>();
  for (const r of replies) {
    const row = (userId: string, seq: number) => ({
      conversation_id: r.conversationId,
      root_id: r.rootId,
      user_id: userId,
      created_at: now,
      last_read_seq: seq,
    });
    const key = (userId: string) => `${r.rootId}\u0000${userId}`;
    const replier = repliers.get(key(r.senderId));
    if (!replier || replier.last_read_seq < r.seq) repliers.set(key(r.senderId), row(r.senderId, r.seq));
    for (const userId of [r.rootSenderId, ...r.mentionedIds])
      if (!newcomers.has(key(userId))) newcomers.set(key(userId), row(userId, r.seq - 1));
  }
  for (const key of repliers.keys()) newcomers.delete(key);
  const newest = trx.raw(
    'case when excluded.last_read_seq > thread_followers.last_read_seq then excluded.last_read_seq else thread_followers.last_read_seq end',
  );
  for (const chunk of batches([...repliers.values()], 200)) {
    await trx('thread_followers').insert(chunk).onConflict(['root_id', 'user_id']).merge({ last_read_seq: newest });
  }
  for (const chunk of batches([...newcomers.values()], 200)) {
    await trx('thread_followers').insert(chunk).onConflict(['root_id', 'user_id']).ignore();
  }
}
