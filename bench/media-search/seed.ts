/**
 * The corpus of the search phase of `npm run bench -- media-search`.
 *
 * Conversations are made through the host's API (groups of 4: the searcher's MEMBER_OF groups,
 * the rest among the other users), so their rows and members are the host's own. That host is
 * then stopped (a SQLite host holds its file exclusively) and the messages go straight into its
 * `messages` table, as the host migrated it (SQLite's FTS5 index and PostgreSQL's search
 * segments are then built with the host's own code, as it does behind its writer), in batches
 * of BATCH rows per transaction: a year of history, spread evenly in time, over conversations picked at random, with seq and pts
 * continuing each conversation's own, sent by its members. The conversations' last_seq, last_pts
 * and last_activity_at are then set as the host would have left them. On PostgreSQL a VACUUM
 * ANALYZE follows, as autovacuum would do on a live host: it gives the planner statistics and
 * moves the GIN index's pending list into the index proper.
 */
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import { registerSearchFunction } from '../../host/db/sqlite-search-function.js';
import { indexBatch } from '../../host/search/sqlite-index-batch.js';
import { openDirect, type TestDatabase } from '../../test/support/test-database.js';
import type { BenchHost, BenchUser } from '../support/bench-host.js';
import { log, mapLimit } from '../support/util.js';
import type { WordMix } from './words.js';

export const MEMBER_OF = 50;
const GROUP_SIZE = 4;
const BATCH = 5_000;
const YEAR_MS = 365 * 24 * 3600 * 1000;

export interface SeedConversation {
  id: string;
  members: string[];
  lastSeq: number;
  lastPts: number;
  lastAt: number;
}

/** Creates `count` groups; the first MEMBER_OF have `users[0]` (the searcher) as owner. */
export async function createConversations(
  host: BenchHost,
  users: BenchUser[],
  count: number,
): Promise<SeedConversation[]> {
  const others = users.slice(1);
  return mapLimit(
    Array.from({ length: count }, (_, i) => i),
    16,
    async (i) => {
      const owner = i < MEMBER_OF ? users[0]! : others[i % others.length]!;
      const members = Array.from({ length: GROUP_SIZE - 1 }, (_, k) => others[(i + 1 + k * 7) % others.length]!)
        .filter((u, k, all) => u.id !== owner.id && all.indexOf(u) === k)
        .map((u) => u.id);
      const res = await host.http<{ id: string; lastSeq: number; lastPts: number }>(
        'POST',
        '/v1/conversations',
        owner.token,
        {
          title: `group ${i}`,
          memberIds: members,
        },
      );
      if (res.status !== 201) throw new Error(`POST /v1/conversations → ${res.status} ${JSON.stringify(res.body)}`);
      return {
        id: res.body.id,
        members: [owner.id, ...members],
        lastSeq: res.body.lastSeq,
        lastPts: res.body.lastPts,
        lastAt: 0,
      };
    },
  );
}

type Row = [string, string, number, number, number, string, string, string, string, number];

function makeBatch(
  conversations: SeedConversation[],
  mix: WordMix,
  from: number,
  to: number,
  total: number,
  rnd: () => number,
  start: number,
): Row[] {
  const rows: Row[] = [];
  for (let i = from; i < to; i++) {
    const c = conversations[Math.floor(rnd() * conversations.length)]!;
    const seq = ++c.lastSeq;
    const pts = ++c.lastPts;
    c.lastAt = start + Math.floor((i * YEAR_MS) / total);
    const sender = c.members[Math.floor(rnd() * c.members.length)]!;
    rows.push([randomUUID(), c.id, seq, pts, pts, sender, `seed-${i}`, 'text', mix.message(), c.lastAt]);
  }
  return rows;
}

const COLUMNS =
  'id, conversation_id, seq, created_pts, pts, sender_id, client_msg_id, content_type, content, created_at';

/**
 * Seeds `opts.messages` messages into `conversations` (made by createConversations) while no
 * host runs: a SQLite host holds its file exclusively.
 */
export async function seedMessages(
  database: TestDatabase,
  conversations: SeedConversation[],
  opts: { messages: number; mix: WordMix; rnd: () => number },
): Promise<void> {
  const t1 = performance.now();
  const batches = Array.from({ length: Math.ceil(opts.messages / BATCH) }, (_, b) => b * BATCH);
  let done = 0;
  const progress = (n: number) => {
    done += n;
    if (done % (BATCH * 20) === 0 || done === opts.messages)
      log(`seed: ${done} messages (${((done / (performance.now() - t1)) * 1000).toFixed(0)}/s)`);
  };
  const start = Date.now() - YEAR_MS;
  const batchAt = (from: number) =>
    makeBatch(conversations, opts.mix, from, Math.min(opts.messages, from + BATCH), opts.messages, opts.rnd, start);
  // The conversations' first messages (made with them, now) go before the year of history, as if
  // made a year ago: a conversation's times then rise with its seqs, as a real one's do.
  const backdate = 'update messages set created_at = ? where created_at >= ?';

  const url = database.url;
  if (url.startsWith('sqlite:')) {
    const db = new Database(url.slice('sqlite:'.length));
    registerSearchFunction(db);
    try {
      // The host's own setting is FULL (an acknowledged send survives power loss); a seed can be redone.
      db.pragma('synchronous = NORMAL');
      db.prepare(backdate).run(start - 1, start);
      const insert = db.prepare(`insert into messages (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      const insertAll = db.transaction((rows: Row[]) => {
        for (const row of rows) insert.run(...row);
      });
      for (const from of batches) {
        const rows = batchAt(from);
        insertAll(rows);
        progress(rows.length);
      }
      const finish = db.prepare(
        'update conversations set last_seq = ?, last_pts = ?, last_activity_at = ? where id = ?',
      );
      db.transaction(() => {
        for (const c of conversations) if (c.lastAt) finish.run(c.lastSeq, c.lastPts, c.lastAt, c.id);
      })();
      // The search index, as the host's indexer makes it behind its writer (migration 0024).
      const ti = performance.now();
      for (let more = true; more;) more = indexBatch(db).more;
      log(`seed: search index caught up in ${((performance.now() - ti) / 1000).toFixed(1)} s`);
      db.pragma('wal_checkpoint(PASSIVE)');
    } finally {
      db.close();
    }
  } else {
    const knex = openDirect(database);
    try {
      // One statement per batch: the rows as one JSON parameter (not fifty thousand parameters).
      const names = COLUMNS.split(', ');
      const types = ['text', 'text', 'bigint', 'bigint', 'bigint', 'text', 'text', 'text', 'text', 'bigint'];
      const insertSql =
        `insert into messages (${COLUMNS}) select ${COLUMNS} from json_to_recordset(?::json) ` +
        `as r(${names.map((n, i) => `${n} ${types[i]}`).join(', ')})`;
      await knex.raw(backdate, [start - 1, start]);
      // The host covered those messages at their old times: built again below with the new ones.
      await knex.raw('delete from search_segments');
      await mapLimit(batches, 2, async (from) => {
        const rows = batchAt(from);
        const json = JSON.stringify(rows.map((r) => Object.fromEntries(names.map((n, i) => [n, r[i]]))));
        await knex.raw(insertSql, [json]);
        progress(rows.length);
      });
      await knex.transaction(async (trx) => {
        for (const c of conversations)
          if (c.lastAt)
            await trx('conversations')
              .where('id', c.id)
              .update({ last_seq: c.lastSeq, last_pts: c.lastPts, last_activity_at: c.lastAt });
      });
      // The search segments (migration 0021), as the host's builder makes them behind its writer.
      const tb = performance.now();
      const { rows: built } = await knex.raw<{ rows: { n: number }[] }>(
        'select switchboard_build_search_segments(null, true) as n',
      );
      log(`seed: ${built[0]!.n} search segments built in ${((performance.now() - tb) / 1000).toFixed(1)} s`);
      const t2 = performance.now();
      await knex.raw('vacuum analyze messages, search_segments');
      // The load's pages are written out now, not by a checkpoint spread over the search window.
      await knex.raw('checkpoint');
      log(`seed: vacuum analyze and checkpoint took ${((performance.now() - t2) / 1000).toFixed(1)} s`);
    } finally {
      await knex.destroy();
    }
  }
  log(`seed: ${opts.messages} messages in ${((performance.now() - t1) / 1000).toFixed(1)} s`);
}
