import type { Knex } from 'knex';
import { mayMention } from '../mentions/mention-parser.js';
import { sendRow, type NewMessage } from './apply-sends.js';
import { newMessageId, type MessageRow } from './message-row.js';

/** The columns a plain send writes, on both databases (plain-sends-sqlite.ts too). */
export const PLAIN_SEND_COLUMNS = [
  'id',
  'conversation_id',
  'seq',
  'created_pts',
  'pts',
  'sender_id',
  'client_msg_id',
  'content_type',
  'content',
  'created_at',
  'request_hash',
] as const;
export type PlainSendColumn = (typeof PLAIN_SEND_COLUMNS)[number];

/** What became of one send of a batch committed by `commitPlainSends`. */
export type PlainSendResult =
  | { kind: 'sent'; row: MessageRow }
  /** No such conversation, or the sender is not a member. */
  | { kind: 'refused' }
  /**
   * The send needs the writer's full transaction: a listener of new messages is a member
   * (`heard`), or the conversation changed after this statement began (see PLAIN_SENDS_SQL).
   */
  | { kind: 'deferred'; heard: boolean };

/**
 * Whether a send needs nothing read or written beside its own row and its conversation's
 * counters: no reply or thread to check, no uploads to claim, no mention to resolve.
 */
export function isPlainSend(msg: NewMessage): boolean {
  return (
    msg.replyToId === null &&
    msg.threadRootId === null &&
    msg.attachmentIds.length === 0 &&
    (msg.contentType !== 'text' || !mayMention(msg.content))
  );
}

/**
 * A batch of plain sends as one PostgreSQL statement, committed on its own: it locks the
 * conversations in id order (as the writer's transaction does, so the two never deadlock),
 * keeps the sends of members, numbers them after the locked counters in the batch's order,
 * inserts them and saves the counters. One round trip instead of four (BEGIN, lock, insert,
 * COMMIT), and prepared once per connection: planning this statement cost as much as running it.
 * Conversations where one of `listenerIds` is a member are locked but left alone ("deferred"):
 * their new messages must be recorded for plugins in the same transaction. So are those another
 * transaction changed while this statement waited for their lock: the statement reads members
 * as they were when it began, and a bot added in that moment would miss the messages that follow
 * its joining (the transaction reads them again once it holds the lock).
 * A resent clientMsgId fails the whole statement on the unique index, as a batch does.
 */
const PLAIN_SENDS_SQL = `
with input as (
  select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
    with ordinality as i(id, conversation_id, sender_id, client_msg_id, content_type, content, request_hash, ord)
),
seen as (
  select id, last_pts from conversations where id = any(?::text[])
),
locked as (
  select c.id, c.last_seq, c.last_pts,
    exists (select 1 from members l where l.conversation_id = c.id and l.user_id = any(?::text[])) as heard,
    c.last_pts <> (select s.last_pts from seen s where s.id = c.id) as changed
  from conversations c where c.id = any(?::text[]) order by c.id for update of c
),
accepted as (
  select i.*, k.last_seq, k.last_pts, row_number() over (partition by i.conversation_id order by i.ord) as n
  from input i join locked k on k.id = i.conversation_id
  where not k.heard and not k.changed
    and exists (select 1 from members m where m.conversation_id = i.conversation_id and m.user_id = i.sender_id)
),
counts as (
  select conversation_id, max(last_seq) + count(*) as last_seq, max(last_pts) + count(*) as last_pts
  from accepted group by conversation_id
),
saved as (
  update conversations c set last_seq = s.last_seq, last_pts = s.last_pts, last_activity_at = greatest(c.last_activity_at, ?::bigint)
  from counts s where c.id = s.conversation_id
),
inserted as (
  insert into messages (${PLAIN_SEND_COLUMNS.join(', ')})
  select id, conversation_id, last_seq + n, last_pts + n, last_pts + n, sender_id, client_msg_id, content_type,
    content, ?::bigint, request_hash
  from accepted
)
select ord, last_seq + n as seq, last_pts + n as pts, null as deferred, null as heard from accepted
union all
select null, null, null, id, heard from locked where heard or changed`;

/** Named, so each pooled connection parses and plans it once. */
const STATEMENT_NAME = 'switchboard_plain_sends';

/** Commits `sends` (each `isPlainSend`) on PostgreSQL in one statement; one result per send, in order. */
export async function commitPlainSends(
  knex: Knex,
  sends: readonly NewMessage[],
  now: number,
  listenerIds: readonly string[],
): Promise<PlainSendResult[]> {
  const ids = sends.map(() => newMessageId());
  const column = (pick: (s: NewMessage) => string) => sends.map(pick);
  const conversationIds = [...new Set(sends.map((s) => s.conversationId))];
  const result = (await knex
    .raw(PLAIN_SENDS_SQL, [
      ids,
      column((s) => s.conversationId),
      column((s) => s.senderId),
      column((s) => s.clientMsgId),
      column((s) => s.contentType),
      column((s) => s.content),
      column((s) => s.requestHash),
      conversationIds,
      [...listenerIds],
      conversationIds,
      now,
      now,
    ])
    .options({ name: STATEMENT_NAME })) as {
    rows: { ord: string | null; seq: string | null; pts: string | null; deferred: string | null; heard: boolean }[];
  };
  const results: PlainSendResult[] = sends.map(() => ({ kind: 'refused' }));
  const deferred = new Map<string, boolean>();
  for (const r of result.rows) {
    if (r.deferred !== null) {
      deferred.set(r.deferred, r.heard);
      continue;
    }
    const at = Number(r.ord) - 1;
    const s = sends[at]!;
    results[at] = {
      kind: 'sent',
      row: sendRow(s, ids[at]!, Number(r.seq), Number(r.pts), now, { entities: null, attachments: null }),
    };
  }
  sends.forEach((s, at) => {
    const heard = deferred.get(s.conversationId);
    if (heard !== undefined) results[at] = { kind: 'deferred', heard };
  });
  return results;
}
