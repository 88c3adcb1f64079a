import { statementName } from '../db/statement-name.js';
import type { Knex } from 'knex';
import type { HeardInStatement, NewMessageListener, StatementRecording } from '../core/extension-points.js';
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
   * The send needs the writer's full transaction: a listener of new messages is a member and the
   * statement cannot record for it (`heard`), the conversation changed after this statement
   * began (see plainSendsSql), or a block closes it (conversations.blocked: the transaction
   * refuses the send, or answers a resend of a message stored before the block as a duplicate).
   */
  | { kind: 'deferred'; heard: boolean };

/** A batch's results, by position, and what the statement recorded for listeners (null: nothing). */
export interface PlainSendsCommitted {
  results: PlainSendResult[];
  heard: HeardInStatement | null;
}

/**
 * Whether a send needs nothing read or written beside its own row and its conversation's
 * counters: no reply or thread to check, no uploads to claim or forward to copy, no mention to resolve.
 */
export function isPlainSend(msg: NewMessage): boolean {
  return (
    msg.replyToId === null &&
    msg.threadRootId === null &&
    msg.attachmentIds.length === 0 &&
    !msg.forward &&
    (msg.contentType !== 'text' || !mayMention(msg.content))
  );
}

/**
 * A batch of plain sends as one PostgreSQL statement, committed on its own: it locks the
 * conversations in id order (as the writer's transaction does, so the two never deadlock),
 * keeps the sends of members, numbers them after the locked counters in the batch's order,
 * inserts them and saves the counters. One round trip instead of four (BEGIN, lock, insert,
 * COMMIT), and prepared once per connection: planning this statement cost as much as running it.
 * Where listeners of new messages (plugins' bots) are members, `recording` (the outbox's, see
 * CommittedEventOutbox.statementRecording) records the new messages for them in the same
 * statement; without one, those conversations are locked but left alone ("deferred", heard) for
 * the transaction. Conversations another transaction changed while this statement waited for
 * their lock are deferred too: the statement reads members as they were when it began, and a
 * bot added in that moment would miss the messages that follow its joining (the transaction
 * reads them again once it holds the lock). A direct conversation a block closes
 * (conversations.blocked, read from the locked row) is deferred as well, at no extra statement:
 * the transaction refuses its sends.
 * A resent clientMsgId fails the whole statement on the unique index, as a batch does.
 * The statement is planned once per connection (a generic plan), often while the tables are
 * still small; so it names its access paths: each conversation is locked by a probe of its key
 * (a lateral subquery, which the planner cannot turn into a join), and memberships are scalar
 * probes of their keys. As `id = any(…)` filters and `exists` joins, a plan made on a small table
 * scanned the whole conversations table for the lock and once more per conversation (1.3 of
 * 3.6 ms for 36 conversations, and more as the table grew).
 */
function plainSendsSql(listening: boolean, recording: string | null): string {
  const left =
    listening && recording === null ? 'k.blocked or k.changed or cardinality(k.hearers) > 0' : 'k.blocked or k.changed';
  // Without listeners the statement is the bare one: nothing for the lock to look up.
  const hearers = listening
    ? `array(select l.hearer from listeners l
      where (select true from members b where b.conversation_id = c.id and b.user_id = l.bot_user_id) order by l.hearer)`
    : `'{}'::text[]`;
  const records = listening && recording !== null;
  const outputs = records
    ? 'event_id, case when event_id is not null then hearers end as hearers, (select seq from recorded) as outbox_seq'
    : 'null::text as event_id, null::text[] as hearers, null::bigint as outbox_seq';
  return `
with input as (
  select * from unnest(?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[])
    with ordinality as i(id, conversation_id, sender_id, client_msg_id, content_type, content, request_hash, ord)
),
${
  listening
    ? `listeners as (
  select * from unnest(?::text[], ?::text[]) as l(bot_user_id, hearer)
),
`
    : ''
}locked as (
  select c.id, c.last_seq, c.last_pts, c.blocked,
    ${hearers} as hearers,
    c.last_pts <> (select s.last_pts from conversations s where s.id = w.id) as changed
  from (select distinct unnest(?::text[]) as id order by 1) w
  cross join lateral (select id, last_seq, last_pts, blocked from conversations where id = w.id for update) c
),
accepted as (
  select i.*, k.last_seq, k.last_pts, k.hearers,
    case when cardinality(k.hearers) > 0 then gen_random_uuid()::text end as event_id,
    row_number() over (partition by i.conversation_id order by i.ord) as n
  from input i join locked k on k.id = i.conversation_id
  where not (${left})
    and (select true from members m where m.conversation_id = i.conversation_id and m.user_id = i.sender_id)
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
)${
    !records
      ? ''
      : `,
heard as (
  select event_id, conversation_id, id as message_id, hearers as plugin_ids, ord from accepted where event_id is not null
),
recorded as (${recording})`
  }
select ord, last_seq + n as seq, last_pts + n as pts,
  ${outputs},
  null as deferred, null::boolean as heard
from accepted
union all
select null, null, null, null, null, null, id, cardinality(k.hearers) > 0 from locked k where ${left}`;
}

/** Each variant's text, and its name: each pooled connection parses and plans it once. */
const statements = new Map<string, { sql: string; name: string }>();
function statementFor(listening: boolean, recording: string | null): { sql: string; name: string } {
  const key = listening ? `listening:${recording ?? ''}` : 'bare';
  let statement = statements.get(key);
  if (statement === undefined) {
    const sql = plainSendsSql(listening, recording);
    statement = { sql, name: statementName('plain_sends', sql) };
    statements.set(key, statement);
  }
  return statement;
}

interface ResultRow {
  ord: string | null;
  seq: string | null;
  pts: string | null;
  event_id: string | null;
  hearers: string[] | null;
  outbox_seq: string | null;
  deferred: string | null;
  heard: boolean | null;
}

/**
 * Commits `sends` (each `isPlainSend`) on PostgreSQL in one statement; one result per send, in
 * order, and what `recording` recorded for `listeners`.
 */
export async function commitPlainSends(
  knex: Knex,
  sends: readonly NewMessage[],
  now: number,
  listeners: readonly NewMessageListener[],
  recording: StatementRecording | null,
): Promise<PlainSendsCommitted> {
  const ids = sends.map(() => newMessageId());
  const column = (pick: (s: NewMessage) => string) => sends.map(pick);
  const conversationIds = [...new Set(sends.map((s) => s.conversationId))];
  const listening = listeners.length > 0;
  const { sql, name } = statementFor(listening, recording?.sql ?? null);
  const result = (await knex
    .raw(sql, [
      ids,
      column((s) => s.conversationId),
      column((s) => s.senderId),
      column((s) => s.clientMsgId),
      column((s) => s.contentType),
      column((s) => s.content),
      column((s) => s.requestHash),
      ...(listening ? [listeners.map((l) => l.botUserId), listeners.map((l) => l.hearer)] : []),
      conversationIds,
      now,
      now,
      ...(listening ? (recording?.bindings ?? []) : []),
    ] as Knex.RawBinding[])
    .options({ name })) as { rows: ResultRow[] };
  const results: PlainSendResult[] = sends.map(() => ({ kind: 'refused' }));
  const deferred = new Map<string, boolean>();
  const heard = new Map<string, { eventId: string; hearers: readonly string[] }>();
  let outboxSeq: number | null = null;
  for (const r of result.rows) {
    if (r.deferred !== null) {
      deferred.set(r.deferred, r.heard === true);
      continue;
    }
    const at = Number(r.ord) - 1;
    const s = sends[at]!;
    results[at] = {
      kind: 'sent',
      row: sendRow(s, ids[at]!, Number(r.seq), Number(r.pts), now, { entities: null, attachments: null }),
    };
    if (r.event_id !== null && r.hearers !== null) heard.set(ids[at]!, { eventId: r.event_id, hearers: r.hearers });
    if (r.outbox_seq !== null) outboxSeq = Number(r.outbox_seq);
  }
  sends.forEach((s, at) => {
    const wasHeard = deferred.get(s.conversationId);
    if (wasHeard !== undefined) results[at] = { kind: 'deferred', heard: wasHeard };
  });
  return { results, heard: outboxSeq === null ? null : { seq: outboxSeq, messages: heard } };
}
