/**
 * msgs_per_s and msgs_per_s_ratio_indexed of `npm run bench -- media-search`: what search
 * indexing costs the messaging hot path. Two kinds of host run in turn (ROUNDS alternating
 * rounds, each side reporting its best, as bench/plugins.ts does) on fresh databases, each loaded
 * exactly like phase 2 of the messaging benchmark (bench/messaging/throughput.ts over
 * bench/messaging/pair-driver.ts's 100 direct conversations):
 *   - indexed: the host as it ships;
 *   - unindexed: the same host, whose fresh database has its search index taken away right
 *     after it was migrated (here, with the host's own migrations, before the host starts): on
 *     SQLite its three triggers on `messages` are dropped and the indexer's watermark is set past
 *     any rowid, so the indexer behind the writer finds nothing to index (the FTS5 table stays,
 *     empty and never written), on PostgreSQL the
 *     functions that build its segments behind the writer build nothing, and the trigger on
 *     `messages` that keeps them in step with edits is dropped. The host's write path is otherwise
 *     the very same code, so the difference is the index's upkeep alone (but for the words the
 *     host gathers for the segments as messages commit, which unindexed-host.ts turns off before
 *     the host starts, as it could not be from the database). No setting turns search
 *     off, and the schema is the migrations' own, so taking the index away is the clean way; the
 *     triggers and function are found by what they use or do (messages_fts, the
 *     switchboard_search*, switchboard_build_search* and switchboard_put_search* functions), not by
 *     a copy of their names.
 */
import { randomBytes } from 'node:crypto';
import { openDatabase, type Database } from '../../host/db/open-database.js';
import { runMigrations } from '../../host/db/run-migrations.js';
import { SEARCH_WATERMARK } from '../../host/db/migrations/0024-sqlite-search-behind-writer.js';
import { createTestDatabase, type TestDatabase } from '../../test/support/test-database.js';
import { setupPairs } from '../messaging/pair-driver.js';
import { throughputPhase } from '../messaging/throughput.js';
import { startBenchHost } from '../support/bench-host.js';
import { closeAll } from '../support/phase-util.js';
import { log } from '../support/util.js';
import { summarizeProfile, summarizeSql } from '../support/cpu-profile.js';

export interface IndexingFigures {
  indexed: number;
  unindexed: number;
}

/** Drops the search index's upkeep from a migrated database; returns what it dropped. */
async function dropSearchIndex(db: Database): Promise<string[]> {
  if (db.kind === 'sqlite') {
    const triggers = (await db
      .knex('sqlite_master')
      .where({ type: 'trigger', tbl_name: 'messages' })
      .andWhere('sql', 'like', '%messages_fts%')
      .pluck('name')) as string[];
    for (const name of triggers) await db.knex.raw(`drop trigger "${name}"`);
    // The indexer still looks after each commit, as PostgreSQL's builder still calls its function.
    await db.knex(SEARCH_WATERMARK).update({ upto: Number.MAX_SAFE_INTEGER });
    return [...triggers, `${SEARCH_WATERMARK} (past every rowid)`];
  }
  // PostgreSQL builds segments behind the writer (migration 0021), or puts those whose words the
  // host gathered (0025), with a function each: they are replaced by ones that build nothing,
  // and the trigger that keeps segments in step with edits goes. The host still calls them after
  // commits; that call is all that is left.
  const { rows } = await db.knex.raw<{ rows: { name: string; args: string; result: string }[] }>(
    `select p.proname as name, pg_get_function_arguments(p.oid) as args, pg_get_function_result(p.oid) as result
      from pg_proc p join pg_namespace n on n.oid = p.pronamespace
      where n.nspname = current_schema()
        and (p.proname like 'switchboard_build_search%' or p.proname like 'switchboard_put_search%')`,
  );
  // A count, or (migration 0025) a record of two counts.
  for (const { name, args, result } of rows)
    await db.knex.raw(
      `create or replace function "${name}"(${args}) returns ${result} language sql
        as 'select ${result === 'record' ? '0::bigint, 0::bigint' : '0::bigint'}'`,
    );
  const { rows: triggers } = await db.knex.raw<{ rows: { name: string }[] }>(
    `select t.tgname as name from pg_trigger t join pg_class c on c.oid = t.tgrelid
      join pg_namespace n on n.oid = c.relnamespace join pg_proc p on p.oid = t.tgfoid
      where n.nspname = current_schema() and c.relname = 'messages' and p.proname like 'switchboard_search%'`,
  );
  for (const { name } of triggers) await db.knex.raw(`drop trigger "${name}" on messages`);
  return [...rows.map((r) => `${r.name} (now builds nothing)`), ...triggers.map((t) => t.name)];
}

/**
 * A fresh database migrated here, with the host's own code, before the host starts (a SQLite host
 * holds its file exclusively once it runs), without the search index unless `indexed`.
 */
async function prepareDatabase(label: string, indexed: boolean): Promise<TestDatabase> {
  const database = await createTestDatabase();
  const db = await openDatabase({ url: database.url, schema: database.schema, poolSize: 1 });
  try {
    await runMigrations(db.knex);
    if (!indexed) {
      const dropped = await dropSearchIndex(db);
      if (dropped.length === 0) throw new Error('found no search index to drop');
      log(`${label}: dropped ${dropped.join(', ')}`);
    }
  } finally {
    await db.close();
  }
  return database;
}

/** How much of what was sent the index holds after the run: the upkeep measured did its work. */
async function indexedShare(database: TestDatabase): Promise<string> {
  const db = await openDatabase({ url: database.url, schema: database.schema, poolSize: 1 });
  try {
    const count = async (sql: string) => {
      const raw: unknown = await db.knex.raw(sql);
      const rows = db.kind === 'sqlite' ? (raw as { n: number }[]) : (raw as { rows: { n: number }[] }).rows;
      return Number(rows[0]!.n);
    };
    const stored = await count('select count(*) as n from messages');
    const held =
      db.kind === 'sqlite'
        ? await count('select count(*) as n from messages_fts')
        : await count(
            'select coalesce(sum(last_seq - first_seq + 1), 0) as n from search_segments where last_seq >= first_seq',
          );
    return `${held} of ${stored} messages in the search index`;
  } finally {
    await db.close();
  }
}

const METRICS_TOKEN = `bench-metrics-${randomBytes(16).toString('hex')}`;

/** PostgreSQL: the segments built so far, by where their words were cut (the host's metrics). */
async function segmentsBuilt(url: string): Promise<string> {
  const res = await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const lines = (await res.text()).split('\n').filter((l) => l.startsWith('switchboard_search_segments_built_total'));
  return `segments built: ${lines.map((l) => l.replace('switchboard_search_segments_built_total', '')).join(', ') || 'none'}`;
}

async function run(label: string, indexed: boolean): Promise<number> {
  const database = await prepareDatabase(label, indexed);
  const adminToken = `bench-admin-${randomBytes(24).toString('hex')}`;
  const profiles = process.env.BENCH_HOST_CPU_PROF;
  const cpuProfDir = profiles ? `${profiles}/${label.replace(' ', '-')}` : undefined;
  try {
    let msgsPerS: number;
    const host = await startBenchHost({
      share: { database, adminToken },
      config: { websocket: { framesPerSecond: 100_000, burst: 100_000 }, metrics: { token: METRICS_TOKEN } },
      ...(cpuProfDir ? { cpuProfDir } : {}),
      imports: indexed ? [] : ['bench/media-search/unindexed-host.ts'],
    });
    try {
      const users = await host.createUsers(200, `${indexed ? 'i' : 'n'}${label.replace(/\D/g, '')}_`);
      const { drivers, socks } = await setupPairs(host, users);
      try {
        msgsPerS = (await throughputPhase(host, drivers)).msgsPerS;
        if (indexed) log(`${label}: ${await segmentsBuilt(host.url)}`);
      } finally {
        await closeAll(socks);
      }
    } finally {
      await host.shutdown();
    }
    if (indexed) log(`${label}: ${await indexedShare(database)}`);
    if (cpuProfDir) {
      for (const line of [...summarizeProfile(cpuProfDir, host.child.pid), ...summarizeSql(cpuProfDir, host.child.pid)])
        log(`${label}: ${line}`);
    }
    return msgsPerS;
  } finally {
    await database.drop();
  }
}

export async function indexingPhase(rounds: number): Promise<IndexingFigures> {
  const indexed: number[] = [];
  const unindexed: number[] = [];
  for (let round = 1; round <= rounds; round++) {
    // A slow moment of the machine only ever lowers a round: alternate, and keep each side's best.
    // Every other round the indexed host goes first (ABBA), so a machine slowing down (or
    // speeding up) over the run favours neither side.
    const first = round % 2 === 1 ? 'unindexed' : 'indexed';
    for (const side of first === 'unindexed' ? [false, true] : [true, false])
      (side ? indexed : unindexed).push(await run(`${side ? 'indexed' : 'unindexed'} ${round}`, side));
    log(
      `indexing round ${round} (${first} first): unindexed ${unindexed.at(-1)!.toFixed(0)} msg/s, indexed ${indexed.at(-1)!.toFixed(0)} msg/s, ratio ${(indexed.at(-1)! / unindexed.at(-1)!).toFixed(3)}`,
    );
  }
  const ratios = indexed.map((n, i) => n / unindexed[i]!).sort((a, b) => a - b);
  log(`indexing: median of the rounds' ratios ${ratios[Math.floor(ratios.length / 2)]!.toFixed(3)}`);
  return { indexed: Math.max(...indexed), unindexed: Math.max(...unindexed) };
}
