import type { Knex } from 'knex';

/** A conversation's counters as a batch holds them: read under its row lock, saved at its end. */
export interface Counters {
  lastSeq: number;
  lastPts: number;
  dirty: boolean;
}

export interface LockedConversations {
  counters: Map<string, Counters>;
  /** `conversationId\u0000userId` for each asked sender who is a member. */
  members: Set<string>;
  /** Direct conversations where one member blocks the other (conversations.blocked): sends are refused. */
  blocked: Set<string>;
}

export const memberKey = (conversationId: string, userId: string): string => `${conversationId}\u0000${userId}`;

/**
 * Locks the batch's conversations in id order (so hosts sharing a PostgreSQL database serialise
 * per conversation without deadlocks) and, in the same round trip, reads which of the batch's
 * senders are members and which conversations a block closes (read under the lock, which block
 * and unblock take too, so a send never slips past one). SQLite has one writer at a time already; PostgreSQL needs the row locks.
 */
export async function lockConversations(
  trx: Knex.Transaction,
  ids: readonly string[],
  senderIds: readonly string[],
  isPostgres: boolean,
): Promise<LockedConversations> {
  const idList = ids.map(() => '?').join(', ');
  const senders = senderIds.length > 0 ? senderIds : [''];
  const senderList = senders.map(() => '?').join(', ');
  const result: unknown = await trx.raw(
    `select c.id, c.last_seq, c.last_pts, c.blocked, m.user_id from conversations c
     left join members m on m.conversation_id = c.id and m.user_id in (${senderList})
     where c.id in (${idList}) order by c.id${isPostgres ? ' for update of c' : ''}`,
    [...senders, ...ids],
  );
  const rows = (isPostgres ? (result as { rows: unknown[] }).rows : result) as {
    id: string;
    last_seq: number | string;
    last_pts: number | string;
    blocked: boolean | number;
    user_id: string | null;
  }[];
  const counters = new Map<string, Counters>();
  const members = new Set<string>();
  const blocked = new Set<string>();
  for (const r of rows) {
    if (!counters.has(r.id))
      counters.set(r.id, { lastSeq: Number(r.last_seq), lastPts: Number(r.last_pts), dirty: false });
    if (r.user_id !== null) members.add(memberKey(r.id, r.user_id));
    if (r.blocked) blocked.add(r.id);
  }
  return { counters, members, blocked };
}

/** One UPDATE for every conversation the batch changed. */
export async function saveCounters(trx: Knex.Transaction, counters: Map<string, Counters>, now: number): Promise<void> {
  for (const update of counterUpdates(counters, now)) await trx.raw(update.sql, update.bindings);
}

const MESSAGE_INSERT_CHUNK = 100;

/**
 * Inserts a batch's messages, 100 rows a statement. With `counters` (a batch with nothing left to
 * write to them) on PostgreSQL, the last statement also saves the counters, as a data-modifying
 * WITH: one round trip fewer for every batch.
 */
export async function insertMessages(
  trx: Knex.Transaction,
  rows: readonly object[],
  counters: { map: Map<string, Counters>; now: number } | null,
): Promise<void> {
  for (let i = 0; i < rows.length; i += MESSAGE_INSERT_CHUNK) {
    const insert = trx('messages').insert(rows.slice(i, i + MESSAGE_INSERT_CHUNK));
    const updates =
      counters && i + MESSAGE_INSERT_CHUNK >= rows.length ? counterUpdates(counters.map, counters.now) : [];
    if (updates.length !== 1) {
      await insert;
      continue;
    }
    const { sql, bindings } = insert.toSQL();
    await trx.raw(`with inserted as (${sql}) ${updates[0]!.sql}`, [...bindings, ...updates[0]!.bindings]);
    for (const c of counters!.map.values()) c.dirty = false;
  }
}

const COUNTERS_PER_UPDATE = 200;

function counterUpdates(counters: Map<string, Counters>, now: number): { sql: string; bindings: Knex.Value[] }[] {
  const dirty = [...counters].filter(([, c]) => c.dirty);
  const updates: { sql: string; bindings: Knex.Value[] }[] = [];
  for (let i = 0; i < dirty.length; i += COUNTERS_PER_UPDATE) {
    const part = dirty.slice(i, i + COUNTERS_PER_UPDATE);
    // Casts keep PostgreSQL from typing the parameters as text.
    const caseExpr = `case id ${part.map(() => 'when ? then cast(? as bigint)').join(' ')} end`;
    const bindings = (column: 'lastSeq' | 'lastPts') => part.flatMap(([id, c]) => [id, c[column]]);
    updates.push({
      // Never back in time (a host whose clock is behind): search reads it as the newest a message can be.
      sql: `update conversations set last_seq = ${caseExpr}, last_pts = ${caseExpr},
        last_activity_at = case when last_activity_at > ? then last_activity_at else ? end
        where id in (${part.map(() => '?').join(', ')})`,
      bindings: [...bindings('lastSeq'), ...bindings('lastPts'), now, now, ...part.map(([id]) => id)],
    });
  }
  return updates;
}
