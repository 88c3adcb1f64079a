import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { MessageEntity } from '../../sdk/protocol/message.js';
import { mayMention, mentionCandidates, type MentionCandidate } from './mention-parser.js';

/** A text to look for mentions in, as one of a batch. */
export interface MentionInput {
  conversationId: string;
  senderId: string;
  /** The stored content type and content: only text is parsed. */
  contentType: string;
  content: string;
  /** A forward's text mentions no one: its @names were written for the original's conversation. */
  mentionsNone?: boolean;
}

export type MentionResult = { ok: true; entities: MessageEntity[] } | { ok: false; error: SwitchboardError };

const NONE: MentionResult = { ok: true, entities: [] };
const KEYS_PER_QUERY = 500;

/**
 * The mention entities of a batch of texts, with one handle lookup for the whole batch (and one
 * more for the rules of @all, only when a text has it). A handle that names no member of the
 * conversation stays plain text; `@all` in a group is a mention of everyone, which only owners and
 * admins may make unless the group (or, by default, the host's `mentions.allowAllForMembers`) lets
 * members; a member who may not gets `mention_all_not_allowed`. Texts without '@' cost nothing.
 */
export async function resolveMentions(
  db: Knex | Knex.Transaction,
  inputs: readonly MentionInput[],
  allowAllForMembers: boolean,
): Promise<MentionResult[]> {
  const parsed = inputs.map((i) =>
    !i.mentionsNone && i.contentType === 'text' && mayMention(i.content) ? mentionCandidates(i.content) : [],
  );
  const at = parsed.flatMap((candidates, i) => (candidates.length > 0 ? [i] : []));
  if (at.length === 0) return inputs.map(() => NONE);

  const conversationIds = [...new Set(at.map((i) => inputs[i]!.conversationId))];
  const keys = [...new Set(at.flatMap((i) => parsed[i]!.flatMap((c) => c.keys.map((k) => k.key))))];
  const members = new Map<string, string>();
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
    const rows = await db('users as u')
      .join('members as mb', 'mb.user_id', 'u.id')
      .whereIn('u.handle_key', keys.slice(i, i + KEYS_PER_QUERY))
      .whereIn('mb.conversation_id', conversationIds)
      .select<{ id: string; handle_key: string; conversation_id: string }[]>(
        'u.id',
        'u.handle_key',
        'mb.conversation_id',
      );
    for (const r of rows) members.set(`${r.conversation_id}\u0000${r.handle_key}`, r.id);
  }

  const allAt = at.filter((i) => parsed[i]!.some((c) => c.isAll));
  const allRules =
    allAt.length > 0
      ? await mentionAllRules(
          db,
          allAt.map((i) => inputs[i]!),
          allowAllForMembers,
        )
      : null;

  return inputs.map((input, i) => {
    const candidates = parsed[i]!;
    if (candidates.length === 0) return NONE;
    const entities: MessageEntity[] = [];
    for (const c of candidates) {
      const rule = c.isAll ? allRules?.get(`${input.conversationId}\u0000${input.senderId}`) : undefined;
      if (rule !== undefined) {
        if (!rule) return { ok: false, error: new SwitchboardError('mention_all_not_allowed') };
        entities.push({ type: 'mention_all', offset: c.offset, length: 'all'.length + 1 });
        continue;
      }
      const mention = memberOf(c, input.conversationId, members);
      if (mention) entities.push({ type: 'mention', offset: c.offset, length: mention.length, userId: mention.userId });
    }
    return { ok: true, entities };
  });
}

/** The longest form of the token that names a member of the conversation. */
function memberOf(c: MentionCandidate, conversationId: string, members: Map<string, string>) {
  for (const k of c.keys) {
    const userId = members.get(`${conversationId}\u0000${k.key}`);
    if (userId !== undefined) return { userId, length: k.length };
  }
  return null;
}

/**
 * For each (group, sender) of texts with @all: whether the sender may mention everyone. Direct
 * conversations are missing from the map: there `@all` is an ordinary handle.
 */
async function mentionAllRules(
  db: Knex | Knex.Transaction,
  inputs: readonly MentionInput[],
  allowAllForMembers: boolean,
): Promise<Map<string, boolean>> {
  const rows = await db('conversations as c')
    .join('members as m', 'm.conversation_id', 'c.id')
    .whereIn('c.id', [...new Set(inputs.map((i) => i.conversationId))])
    .whereIn('m.user_id', [...new Set(inputs.map((i) => i.senderId))])
    .where('c.kind', 'group')
    .select<{ id: string; user_id: string; role: string; members_may_mention_all: boolean | number | null }[]>(
      'c.id',
      'm.user_id',
      'm.role',
      'c.members_may_mention_all',
    );
  return new Map(
    rows.map((r) => {
      const membersMay = r.members_may_mention_all === null ? allowAllForMembers : !!r.members_may_mention_all;
      return [`${r.id}\u0000${r.user_id}`, r.role === 'owner' || r.role === 'admin' || membersMay];
    }),
  );
}

/** Entities as the messages row stores them: null when there are none. */
export function storedEntities(entities: readonly MessageEntity[]): string | null {
  return entities.length > 0 ? JSON.stringify(entities) : null;
}
