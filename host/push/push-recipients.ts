import type { Knex } from 'knex';
import { batches } from '../db/batches.js';
import type { Message } from '../../sdk/protocol/message.js';
import type { PushReason } from './push-payload.js';

export interface Recipient {
  readonly userId: string;
  readonly reason: PushReason;
}

export interface MessageRecipients {
  readonly recipients: Recipient[];
  /** null for a direct conversation. */
  readonly groupTitle: string | null;
}

async function inChunks<T>(ids: readonly string[], read: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const all: T[] = [];
  for (const part of batches(ids, 500)) all.push(...(await read(part)));
  return all;
}

/**
 * Who among `offline` (members of the message's conversation, the sender left out, with no
 * socket open) is told about it, and why: mentioned by name or by @all (part C's entities);
 * following the thread it replies in (thread_followers); or in a direct conversation. Those who
 * muted the conversation (members.muted_until in the future), or who block the sender, are left
 * out, whatever the reason. Those who archived it (members.archived_at) hear only what is
 * addressed to them, as WhatsApp's "keep chats archived" does: a mention of them by name, or a
 * reply in a thread they follow; not a direct conversation's every message, nor an @all.
 */
export async function recipientsOf(
  knex: Knex,
  message: Message,
  offline: readonly string[],
  now: number,
): Promise<MessageRecipients> {
  const conversation = await knex<{ id: string; kind: 'direct' | 'group'; title: string | null }>('conversations')
    .where({ id: message.conversationId })
    .first('kind', 'title');
  if (!conversation) return { recipients: [], groupTitle: null };
  const mentioned = new Set<string>();
  let everyone = false;
  for (const entity of message.entities) {
    if (entity.type === 'mention') mentioned.add(entity.userId);
    else if (entity.type === 'mention_all') everyone = true;
  }
  const followers = new Set<string>();
  if (message.threadRootId !== null) {
    const rootId = message.threadRootId;
    const rows = await inChunks(offline, (part) =>
      knex('thread_followers')
        .where({ root_id: rootId })
        .whereIn('user_id', part)
        .select<{ user_id: string }[]>('user_id'),
    );
    for (const r of rows) followers.add(r.user_id);
  }
  const reasons = new Map<string, PushReason>();
  /** Those the message is addressed to, who hear of it even in a conversation they archived. */
  const addressed = new Set<string>();
  for (const userId of offline) {
    if (everyone || mentioned.has(userId)) reasons.set(userId, 'mention');
    else if (followers.has(userId)) reasons.set(userId, 'thread_reply');
    else if (conversation.kind === 'direct') reasons.set(userId, 'direct_message');
    if (mentioned.has(userId) || followers.has(userId)) addressed.add(userId);
  }
  if (reasons.size > 0) {
    const quiet = await quietIn(knex, message.conversationId, [...reasons.keys()], now, message.senderId);
    for (const userId of quiet.silenced) reasons.delete(userId);
    for (const userId of quiet.archived) if (!addressed.has(userId)) reasons.delete(userId);
  }
  return {
    recipients: [...reasons].map(([userId, reason]) => ({ userId, reason })),
    groupTitle: conversation.kind === 'direct' ? null : (conversation.title ?? ''),
  };
}

/**
 * Who among `away` could have a reason at all, from the message alone, before any query: in a
 * conversation of more than two members (a group, never a direct one) only those mentioned, or
 * everyone for @all or a thread reply (its followers are looked up among them). So a plain group
 * message costs nothing however many members are away.
 */
export function possibleRecipients(message: Message, away: readonly string[], memberCount: number): readonly string[] {
  if (memberCount <= 2 || message.threadRootId !== null) return away;
  const mentioned = new Set<string>();
  for (const entity of message.entities) {
    if (entity.type === 'mention_all') return away;
    mentioned.add(entity.userId);
  }
  return away.filter((id) => mentioned.has(id));
}

export interface QuietMembers {
  /** Muted the conversation, or block the sender: told of nothing in it. */
  readonly silenced: Set<string>;
  /** Archived it: told only of what is addressed to them. */
  readonly archived: Set<string>;
}

/**
 * Which of these members muted the conversation (members.muted_until after `now`, part C) or,
 * given the sender of a message, block them (user_blocks); and which archived it
 * (members.archived_at, on the same row as the mute): one query, whatever the push batch holds.
 */
export async function quietIn(
  knex: Knex,
  conversationId: string,
  userIds: readonly string[],
  now: number,
  senderId?: string,
): Promise<QuietMembers> {
  const blocks =
    'exists (select 1 from user_blocks where user_blocks.blocker_id = members.user_id and user_blocks.blocked_id = ?)';
  const silenced =
    senderId === undefined
      ? knex.raw('case when muted_until > ? then 1 else 0 end as silenced', [now])
      : knex.raw(`case when muted_until > ? or ${blocks} then 1 else 0 end as silenced`, [now, senderId]);
  const rows = await inChunks(userIds, (part) =>
    knex('members')
      .where({ conversation_id: conversationId })
      .whereIn('user_id', part)
      .where((q) => {
        void q.where('muted_until', '>', now).orWhereNotNull('archived_at');
        if (senderId !== undefined) void q.orWhereRaw(blocks, [senderId]);
      })
      .select<{ user_id: string; silenced: number | string; archived_at: unknown }[]>(
        'user_id',
        'archived_at',
        silenced,
      ),
  );
  const quiet: QuietMembers = { silenced: new Set(), archived: new Set() };
  for (const row of rows) {
    if (Number(row.silenced) === 1) quiet.silenced.add(row.user_id);
    else if (row.archived_at !== null) quiet.archived.add(row.user_id);
  }
  return quiet;
}
