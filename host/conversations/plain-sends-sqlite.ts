import { randomUUID } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import type { Knex } from 'knex';
import { preparedOn, withSqliteConnection } from '../db/sqlite-connection.js';
import { sendRow, type NewMessage } from './apply-sends.js';
import { newMessageId } from './message-row.js';
import type { NewMessageListener, StatementRecording } from '../core/extension-points.js';
import {
  PLAIN_SEND_COLUMNS,
  type PlainSendColumn,
  type PlainSendResult,
  type PlainSendsCommitted,
} from './plain-sends.js';

/**
 * The batch's conversations with their counters and whether a block closes them, the hearers of
 * the listeners (`[bot, hearer]` pairs) that are members, and which senders are members.
 */
const CONVERSATIONS_SQL = `
select c.id, c.last_seq, c.last_pts, c.blocked,
  (select json_group_array(l.value ->> 1) from json_each(?) l
    where exists (select 1 from members b where b.conversation_id = c.id and b.user_id = l.value ->> 0)) as hearers,
  (select json_group_array(m.user_id) from members m where m.conversation_id = c.id
    and m.user_id in (select value from json_each(?))) as senders
from conversations c where c.id in (select value from json_each(?))`;

const INSERT_COLUMNS = `insert into messages (${PLAIN_SEND_COLUMNS.join(', ')}) values `;
const ROW = `(${PLAIN_SEND_COLUMNS.map(() => '?').join(', ')})`;
/** Rows a multi-row insert takes at most; a batch goes in chunks of powers of two, so few shapes are compiled. */
const MAX_INSERT_ROWS = 64;

const SAVE_COUNTERS_SQL = `update conversations set last_seq = ?, last_pts = ?,
  last_activity_at = max(last_activity_at, ?) where id = ?`;

/** The relation the outbox's recording reads (CommittedEventOutbox.statementRecording), from one JSON binding. */
const HEARD_RELATION = `with heard(event_id, conversation_id, message_id, plugin_ids, ord) as (
  select value ->> 0, value ->> 1, value ->> 2, value ->> 3, key from json_each(?))`;

interface ConversationRow {
  id: string;
  last_seq: number;
  last_pts: number;
  blocked: number;
  hearers: string;
  senders: string;
}
type Found = ConversationRow & { members: Set<string> };

/**
 * SQLite's short path for plain sends (see plain-sends.ts for PostgreSQL's): the batch's plain
 * sends as one synchronous transaction of statements compiled once, on the host's one
 * connection. The writer's transaction costs five trips through knex (BEGIN, the lock, the
 * insert, the counters, COMMIT), each a turn of the event loop that waits behind other work;
 * here the thread goes from BEGIN to COMMIT without leaving SQLite. SQLite has one writer, so
 * no conversation can change under it. Where one of `listeners` is a member, `recording`
 * records the new messages for its plugin in the same transaction; without one, such a
 * conversation is left for the writer's transaction ("deferred"), which does. A resent
 * clientMsgId fails the whole transaction on the unique index, as a batch does.
 */
export function commitPlainSendsSqlite(
  knex: Knex,
  sends: readonly NewMessage[],
  now: number,
  listeners: readonly NewMessageListener[],
  recording: StatementRecording | null,
): Promise<PlainSendsCommitted> {
  return withSqliteConnection(knex, (conn) => conn.transaction(() => commit(conn, sends, now, listeners, recording))());
}

function commit(
  conn: BetterSqlite3.Database,
  sends: readonly NewMessage[],
  now: number,
  listeners: readonly NewMessageListener[],
  recording: StatementRecording | null,
): PlainSendsCommitted {
  const conversationIds = [...new Set(sends.map((s) => s.conversationId))];
  const senderIds = [...new Set(sends.map((s) => s.senderId))];
  const pairs = listeners.map((l) => [l.botUserId, l.hearer]).sort((a, b) => (a[1]! < b[1]! ? -1 : 1));
  const rows = preparedOn(conn, CONVERSATIONS_SQL).all(
    JSON.stringify(pairs),
    JSON.stringify(senderIds),
    JSON.stringify(conversationIds),
  ) as ConversationRow[];
  const found = new Map<string, Found>(
    rows.map((r) => [r.id, { ...r, members: new Set(JSON.parse(r.senders) as string[]) }]),
  );
  const values: unknown[][] = [];
  const touched = new Set<Found>();
  /** `[event id, conversation, message, hearers' JSON]` of each heard send, in order. */
  const heardRows: string[][] = [];
  const heard = new Map<string, { eventId: string; hearers: readonly string[] }>();
  const results = sends.map((s): PlainSendResult => {
    const c = found.get(s.conversationId);
    if (!c || !c.members.has(s.senderId)) return { kind: 'refused' };
    // The writer's transaction refuses it, or answers a resend of a message stored before the block.
    if (c.blocked) return { kind: 'deferred', heard: false };
    const isHeard = c.hearers !== '[]';
    if (isHeard && recording === null) return { kind: 'deferred', heard: true };
    const seq = ++c.last_seq;
    const pts = ++c.last_pts;
    const id = newMessageId();
    const row: Record<PlainSendColumn, unknown> = {
      id,
      conversation_id: s.conversationId,
      seq,
      created_pts: pts,
      pts,
      sender_id: s.senderId,
      client_msg_id: s.clientMsgId,
      content_type: s.contentType,
      content: s.content,
      created_at: now,
      request_hash: s.requestHash,
    };
    values.push(PLAIN_SEND_COLUMNS.map((column) => row[column]));
    touched.add(c);
    if (isHeard) {
      const eventId = randomUUID();
      heardRows.push([eventId, s.conversationId, id, c.hearers]);
      heard.set(id, { eventId, hearers: JSON.parse(c.hearers) as string[] });
    }
    return { kind: 'sent', row: sendRow(s, id, seq, pts, now, { entities: null, attachments: null }) };
  });
  insertRows(conn, values);
  const save = preparedOn(conn, SAVE_COUNTERS_SQL);
  for (const c of touched) save.run(c.last_seq, c.last_pts, now, c.id);
  if (heardRows.length === 0 || recording === null) return { results, heard: null };
  const recorded = preparedOn(conn, `${HEARD_RELATION} ${recording.sql}`).get(
    JSON.stringify(heardRows),
    ...recording.bindings,
  ) as { seq: number };
  return { results, heard: { seq: Number(recorded.seq), messages: heard } };
}

/** The rows in as few statements as fit: one run per chunk of MAX_INSERT_ROWS, 32, 16 … 1 rows. */
function insertRows(conn: BetterSqlite3.Database, rows: unknown[][]): void {
  let at = 0;
  for (let size = MAX_INSERT_ROWS; size >= 1; size /= 2) {
    for (; rows.length - at >= size; at += size) {
      const statement = preparedOn(conn, INSERT_COLUMNS + new Array<string>(size).fill(ROW).join(', '));
      statement.run(rows.slice(at, at + size).flat());
    }
  }
}
