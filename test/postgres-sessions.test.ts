/**
 * The host's PostgreSQL sessions (host/db/open-database.ts): no JIT or parallel workers, which a
 * search's guessed costs would buy, and one generic plan per connection for the host's named
 * statements, which PostgreSQL otherwise planned again at each run. A plan kept so long must not
 * depend on the tables' size when it was made.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobHashOf } from '../host/attachments/blob-store.js';
import { BLOB_CHUNK_BYTES, DatabaseBlobStore } from '../host/attachments/database-blob-store.js';
import { commitPlainSends } from '../host/conversations/plain-sends.js';
import { openDatabase, type Database } from '../host/db/open-database.js';
import { binaryBytes } from './support/attachment-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { testDatabaseKind } from './support/test-database.js';

describe.skipIf(testDatabaseKind !== 'postgres')("the host's PostgreSQL sessions", () => {
  let host: TestHost;
  // One connection, so every statement below runs in the session whose prepared statements are read.
  let db: Database;
  beforeAll(async () => {
    host = await startTestHost();
    db = await openDatabase({ url: host.database.url, schema: host.database.schema, poolSize: 1 });
  });
  afterAll(async () => {
    await db?.close();
    await host?.stop();
  });

  it('run without JIT or parallel workers, and keep generic plans', async () => {
    const { rows } = await db.knex.raw<{ rows: { jit: string; workers: string; plans: string }[] }>(
      `select current_setting('jit') as jit, current_setting('max_parallel_workers_per_gather') as workers,
        current_setting('plan_cache_mode') as plans`,
    );
    expect(rows).toEqual([{ jit: 'off', workers: '0', plans: 'force_generic_plan' }]);
  });

  it("plan a batch of plain sends and a blob's chunks once, not at each run", async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conversation = await host.direct(a, b);
    const runs = 8;
    for (let i = 0; i < runs; i++) {
      const results = await commitPlainSends(
        db.knex,
        [
          {
            conversationId: conversation.id,
            senderId: a.id,
            clientMsgId: randomUUID(),
            contentType: 'text',
            content: JSON.stringify({ text: `plain ${i}` }),
            replyToId: null,
            threadRootId: null,
            attachmentIds: [],
            requestHash: `hash-${i}`,
          },
        ],
        Date.now(),
        [],
        null,
      );
      expect(results.results.map((r) => r.kind)).toEqual(['sent']);
    }
    const store = new DatabaseBlobStore(db.knex);
    for (let i = 0; i < runs; i++) {
      const bytes = binaryBytes(2 * BLOB_CHUNK_BYTES + 1 + i, i);
      await store.put(blobHashOf(bytes), bytes);
    }

    const { rows } = await db.knex.raw<{ rows: { name: string; generic_plans: string; custom_plans: string }[] }>(
      `select name, generic_plans, custom_plans from pg_prepared_statements order by name`,
    );
    // PostgreSQL's default planned the sends anew at every run (their generic plan's guessed cost
    // is higher) and the chunks at their first five.
    // The sends' statement is named after its text (switchboard_plain_sends_<hash>).
    const name = (r: { name: string }) => r.name.replace(/^(switchboard_plain_sends)_[0-9a-f]+$/, '$1');
    expect(rows.map((r) => [name(r), Number(r.generic_plans), Number(r.custom_plans)])).toEqual([
      ['switchboard_blob_chunks_ignore_3', runs, 0],
      ['switchboard_plain_sends', runs, 0],
    ]);
  });

  it("lock a batch's conversations by key, with a plan made while the tables are small", async () => {
    const { rows } = await db.knex.raw<{ rows: { name: string; types: string[] }[] }>(
      `select name, parameter_types::text[] as types from pg_prepared_statements
        where name like 'switchboard_plain_sends_%'`,
    );
    expect(rows).toHaveLength(1);
    // The plan the connection keeps (a generic one), for the tables as they are in a new database.
    const args = rows[0]!.types.map((type) => (type.endsWith('[]') ? `'{}'` : '0'));
    const plan = await db.knex.raw<{ rows: Record<string, string>[] }>(
      `explain (costs off) execute ${rows[0]!.name}(${args.join(', ')})`,
    );
    const text = plan.rows.map((r) => r['QUERY PLAN']).join('\n');
    // The lock and the membership checks (the update of the counters is left to the planner).
    const locking = text.slice(text.indexOf('CTE locked'), text.indexOf('CTE saved'));
    expect(locking).toContain('Index Scan using conversations_pkey on conversations');
    expect(locking).toMatch(/Index (Only )?Scan using members_\w+ on members/);
    expect(locking).not.toMatch(/Seq Scan/);
  });
});
