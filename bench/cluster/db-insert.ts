/**
 * Reference of `npm run bench -- cluster`: db_insert_rows_per_s, a bare batched insert loop on
 * the benchmark's PostgreSQL schema, the ceiling of durable writes for the hosts there.
 *
 * Rows go into a copy of the host's `messages` table (same columns, same primary key and unique
 * indexes, no foreign key), in batches of BATCH rows per INSERT (each its own transaction and
 * commit, as the host's group commit makes one per batch), from WORKERS connections at once.
 * The rate is measured over the rows after the warm-up.
 */
import { randomUUID } from 'node:crypto';
import knex from 'knex';
import { log } from '../support/util.js';

const BATCH = 256; // the host's group commit takes up to 256 sends
const WORKERS = 2;
const CONVERSATIONS = 100;

export async function dbInsertPhase(
  url: string,
  schema: string,
  counts: { warmup: number; measured: number },
): Promise<number> {
  const db = knex({ client: 'pg', connection: url, pool: { min: 0, max: WORKERS } });
  try {
    await db.raw(`CREATE TABLE "${schema}".bench_insert_ref (LIKE "${schema}".messages INCLUDING INDEXES)`);
    const conversations = Array.from({ length: CONVERSATIONS }, () => randomUUID());
    const senders = conversations.map(() => randomUUID());
    const seqs = new Array<number>(CONVERSATIONS).fill(0);
    const goal = counts.warmup + counts.measured;
    let inserted = 0;
    let started = 0;
    let t0 = 0;
    let atT0 = 0;
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
        await db.withSchema(schema).table('bench_insert_ref').insert(rows);
        inserted += BATCH;
        if (!t0 && inserted >= counts.warmup) {
          t0 = performance.now();
          atT0 = inserted;
        }
      }
    };
    log(
      `db insert: ${WORKERS} connections × batches of ${BATCH} rows; ${counts.warmup} rows warm-up + ${counts.measured} measured`,
    );
    await Promise.all(Array.from({ length: WORKERS }, worker));
    const rate = ((inserted - atT0) / (performance.now() - t0)) * 1000;
    log(`db insert: ${inserted} rows → ${rate.toFixed(0)} rows/s after the warm-up`);
    return rate;
  } finally {
    // The whole schema is dropped at the end of the run anyway; this only frees the space early.
    await db.raw(`DROP TABLE IF EXISTS "${schema}".bench_insert_ref`).catch(() => {});
    await db.destroy();
  }
}
