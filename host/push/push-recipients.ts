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
 * out, whatever the reason.
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
  for (const userId of offline) {
    if (everyone || mentioned.has(userId)) reasons.set(userId, 'mention');
    else if (followers.has(userId)) reasons.set(userId, 'thread_reply');
    else if (conversation.kind === 'direct') reasons.set(userId, 'direct_message');
  }
  if (reasons.size > 0)
    for (const userId of await mutedIn(knex, message.conversationId, [...reasons.keys()], now, message.senderId))
      reasons.delete(userId);
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

/**
 * Which of these members muted the conversation (members.muted_until after `now`, part C), or,
 * given the sender of a message, block them (user_blocks): in the same query.
 */
export async function mutedIn(
  knex: Knex,
  conversationId: string,
  userIds: readonly string[],
  now: number,
  senderId?: string,
): Promise<Set<string>> {
  const rows = await inChunks(userIds, (part) =>
    knex('members')
      .where({ conversation_id: conversationId })
      .whereIn('user_id', part)
      .where((q) => {
        void q.where('muted_until', '>', now);
        if (senderId !== undefined)
          void q.orWhereExists((b) =>
            b
              .from('user_blocks')
              .whereRaw('user_blocks.blocker_id = members.user_id')
              .where('user_blocks.blocked_id', senderId)
              .select(knex.raw('1')),
          );
      })
      .select<{ user_id: string }[]>('user_id'),
  );
  return new Set(rows.map((r) => r.user_id));
}
