/**
 * Reference of `npm run bench -- messaging` and `npm run bench -- cluster`: db_insert_rows_per_s,
 * a bare batched insert loop on the benchmark's kind of database, the ceiling of durable writes
 * for the host there.
 *
 * Rows go into a copy of the host's `messages` table (same columns, same primary key and indexes,
 * no foreign key), in batches of BATCH rows per INSERT (each its own transaction and commit, as
 * the host's group commit makes one per batch). The rate is measured over the rows after the
 * warm-up.
 *
 * PostgreSQL (the database given): the copy, `LIKE messages INCLUDING INDEXES` (the search index
 * included), is made in the benchmark's schema and written from PG_WORKERS connections at once;
 * it is dropped at the end.
 *
 * SQLite: never the host's file (the host holds it exclusively), but a fresh file in a temporary
 * directory of its own, opened by the host's own code (host/db/open-database.ts: the same pragmas,
 * WAL and synchronous FULL, and one connection, so one writer) and migrated by the host's
 * migrations. The copy is made from the DDL of `messages` without its foreign key, with its
 * indexes and its triggers (the FTS5 search index's, the counterpart of PostgreSQL's search
 * index). The directory is removed at the end.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knex, { type Knex } from 'knex';
import { openDatabase } from '../../host/db/open-database.js';
import { runMigrations } from '../../host/db/run-migrations.js';
import { postgresConnection } from '../../host/db/postgres-url.js';
import { cpuMsByName, log, systemBusyMs } from './util.js';

const BATCH = 256; // the host's group commit takes up to 256 sends
const PG_WORKERS = 2;
const CONVERSATIONS = 100;
const TABLE = 'bench_insert_ref';

type Counts = { warmup: number; measured: number };

/** `database`: the benchmark's; on SQLite (a `sqlite:` url) only its kind is used. */
export async function dbInsertPhase(database: { url: string; schema: string }, counts: Counts): Promise<number> {
  return database.url.startsWith('sqlite:')
    ? sqliteInsert(counts)
    : postgresInsert(database.url, database.schema, counts);
}

async function postgresInsert(url: string, schema: string, counts: Counts): Promise<number> {
  const db = knex({ client: 'pg', connection: postgresConnection(url), pool: { min: 0, max: PG_WORKERS } });
  try {
    await db.raw(`CREATE TABLE "${schema}".${TABLE} (LIKE "${schema}".messages INCLUDING INDEXES)`);
    return await insertLoop(`${PG_WORKERS} PostgreSQL connections`, PG_WORKERS, counts, async (rows) => {
      await db.withSchema(schema).table(TABLE).insert(rows);
    });
  } finally {
    // The whole schema is dropped at the end of the run anyway; this only frees the space early.
    await db.raw(`DROP TABLE IF EXISTS "${schema}".${TABLE}`).catch(() => {});
    await db.destroy();
  }
}

async function sqliteInsert(counts: Counts): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-insert-'));
  try {
    const db = await openDatabase({ url: `sqlite:${join(dir, 'insert-reference.db')}`, schema: 'public', poolSize: 1 });
    try {
      await runMigrations(db.knex);
      await copySqliteMessages(db.knex);
      return await insertLoop('1 SQLite connection', 1, counts, async (rows) => {
        await db.knex(TABLE).insert(rows);
      });
    } finally {
      await db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `messages`' table, indexes and triggers, renamed, without the foreign keys. */
async function copySqliteMessages(db: Knex): Promise<void> {
  const entries = await db.raw<{ type: string; name: string; sql: string }[]>(
    `select type, name, sql from sqlite_master where tbl_name = 'messages' and sql is not null
      and type in ('table', 'index', 'trigger') order by type = 'table' desc`,
  );
  const q = '[`"]?'; // knex quotes names with backticks, hand-written DDL does not
  for (const { type, name, sql } of entries) {
    let copy: string;
    if (type === 'table') {
      copy = sql
        .replace(new RegExp(`^CREATE TABLE ${q}messages${q}`, 'i'), `CREATE TABLE ${TABLE}`)
        .replace(
          /,\s*foreign key\s*\([^)]*\)\s*references\s*[`"]?\w+[`"]?\s*\([^)]*\)(\s+on \w+ (?:set null|set default|cascade|restrict|no action))*/gi,
          '',
        );
      if (/references/i.test(copy)) throw new Error(`db insert: cannot strip the foreign keys of: ${sql}`);
    } else {
      // CREATE [UNIQUE] INDEX name … on messages (…), CREATE TRIGGER name … on messages …
      copy = sql.replace(
        new RegExp(
          `^(CREATE (?:UNIQUE )?(?:INDEX|TRIGGER) )${q}${name}${q}([\\s\\S]*?\\bon )${q}messages${q}(?=[\\s(])`,
          'i',
        ),
        `$1${TABLE}_${name}$2${TABLE}`,
      );
    }
    if (copy === sql) throw new Error(`db insert: cannot copy ${type} ${name}: ${sql}`);
    await db.raw(copy);
  }
}

async function insertLoop(
  writers: string,
  workers: number,
  counts: Counts,
  insert: (rows: Record<string, unknown>[]) => Promise<void>,
): Promise<number> {
  const conversations = Array.from({ length: CONVERSATIONS }, () => randomUUID());
  const senders = conversations.map(() => randomUUID());
  const seqs = new Array<number>(CONVERSATIONS).fill(0);
  const goal = counts.warmup + counts.measured;
  let inserted = 0;
  let started = 0;
  let t0 = 0;
  let atT0 = 0;
  let cpu0 = { bench: process.cpuUsage(), postgres: 0, busy: 0 };
  const worker = async () => {
    while (started < goal) {
      started += BATCH;
      const now = Date.now();
      const rows = Array.from({ length: BATCH }, (_, i) => {
        const c = (started + i) % CONVERSATIONS;
        const seq = ++seqs[c]!;
        const key = `d${started + i}`;
        return {
          id: randomUUID(),
          conversation_id: conversations[c],
          seq,
          created_pts: seq,
          pts: seq,
          sender_id: senders[c],
          client_msg_id: key,
          content_type: 'text',
          content: JSON.stringify({ text: `benchmark message ${key}: the quick brown fox jumps over the lazy dog` }),
          created_at: now,
        };
      });
      await insert(rows);
      inserted += BATCH;
      if (!t0 && inserted >= counts.warmup) {
        t0 = performance.now();
        atT0 = inserted;
        cpu0 = { bench: process.cpuUsage(), postgres: cpuMsByName('postgres'), busy: systemBusyMs() };
      }
    }
  };
  log(`db insert: ${writers} × batches of ${BATCH} rows; ${counts.warmup} rows warm-up + ${counts.measured} measured`);
  await Promise.all(Array.from({ length: workers }, worker));
  const wall = performance.now() - t0;
  const rate = ((inserted - atT0) / wall) * 1000;
  // SQLite writes in this process, PostgreSQL in its own: both are counted, and the rest.
  const b = process.cpuUsage(cpu0.bench);
  const share = (ms: number) => `${((ms / wall) * 100).toFixed(0)}%`;
  const bench = (b.user + b.system) / 1000;
  const postgres = cpuMsByName('postgres') - cpu0.postgres;
  const other = Math.max(0, systemBusyMs() - cpu0.busy - bench - postgres);
  log(
    `db insert: during the measured rows: CPU (100% = one core): bench ${share(bench)}, postgres ${share(postgres)}, ` +
      `other processes ${share(other)}`,
  );
  log(`db insert: ${inserted} rows → ${rate.toFixed(0)} rows/s after the warm-up`);
  return rate;
}
