/**
 * An SQLite host compiles each distinct statement once and reuses it (db/statement-cache.ts). A
 * reused statement must still see the schema as it is now: plugins add tables and columns while
 * the host runs, and a row read through a statement compiled before must carry the new column.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../host/db/open-database.js';

describe('SQLite: statements compiled once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-test-'));
  let db: Database;
  afterAll(async () => {
    await db?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers the same query again after the table under it changed', async () => {
    db = await openDatabase({ url: `sqlite:${join(dir, 'host.db')}`, schema: 'public', poolSize: 1 });
    await db.knex.schema.createTable('notes', (t) => t.integer('id'));
    await db.knex('notes').insert({ id: 1 });
    expect(await db.knex('notes').select('*')).toEqual([{ id: 1 }]);

    await db.knex.schema.alterTable('notes', (t) => t.string('text').defaultTo('kept'));
    expect(await db.knex('notes').select('*')).toEqual([{ id: 1, text: 'kept' }]);

    await db.knex.schema.dropTable('notes');
    await db.knex.schema.createTable('notes', (t) => t.string('title'));
    await db.knex('notes').insert({ title: 'again' });
    expect(await db.knex('notes').select('*')).toEqual([{ title: 'again' }]);
    // A statement that no longer fits the table fails as a fresh one would, and changes nothing.
    await expect(db.knex.raw('insert into notes values (?, ?)', ['a', 'b'])).rejects.toThrow(/columns/);
    expect(await db.knex('notes').count({ n: '*' })).toEqual([{ n: 1 }]);
  });
});
