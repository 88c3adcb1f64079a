/**
 * PostgreSQL's search segments may hold words the host cut (`plainWords`, migration 0025) instead
 * of words the database cut from the stored texts. The two must be the same words for every text
 * the host cuts, or a search would miss what a segment built from the messages finds; every other
 * text must be left to the database.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../host/db/open-database.js';
import { runMigrations } from '../host/db/run-migrations.js';
import { plainWords } from '../host/db/search-words.js';
import { createTestDatabase, openDirect, testDatabaseKind, type TestDatabase } from './support/test-database.js';

/** A seeded generator, so a failure names a text that fails again. */
function random(seed: number): () => number {
  return () => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
}

/** Texts of runs that the database's parser reads in its own ways: numbers, exponents, punctuation, scripts. */
function texts(count: number): string[] {
  const next = random(17);
  const pieces = [
    'a',
    'Z',
    'e',
    'E',
    'x',
    '0',
    '1',
    '9',
    ' ',
    ' ',
    '  ',
    '\t',
    '\n',
    '\r',
    '.',
    '-',
    '+',
    '_',
    ',',
    "'",
    '@',
    '/',
    ':',
    '#',
    '%',
    '&',
    '<',
    '>',
    '~',
    '`',
    '\u0001',
    'é',
    'ß',
    '🎉',
    '中',
    'e\u0301',
  ];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let text = '';
    const length = Math.floor(next() * 40);
    for (let j = 0; j < length; j++) text += pieces[Math.floor(next() * pieces.length)];
    out.push(text);
  }
  return out;
}

describe.skipIf(testDatabaseKind !== 'postgres')("search: the host's plain words on PostgreSQL", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
    const db = await openDatabase({ url: database.url, schema: database.schema, poolSize: 1 });
    try {
      await runMigrations(db.knex);
    } finally {
      await db.close();
    }
  });
  afterAll(() => database.drop());

  /** The unkeyed words the search index holds for each text, as the database cuts them. */
  async function databaseWords(all: string[]): Promise<string[][]> {
    const db = openDirect(database);
    try {
      const { rows } = await db.raw<{ rows: { words: string[] | null }[] }>(
        `select array(select substr(w, 9) from unnest(tsvector_to_array(switchboard_search_keys('c', t))) as w
           order by substr(w, 9) collate "C") as words
         from unnest(?::text[]) with ordinality as x(t, i) order by i`,
        [all],
      );
      return rows.map((r) => r.words ?? []);
    } finally {
      await db.destroy();
    }
  }

  it('cuts exactly the words the database cuts from every text it takes, and leaves it the others', async () => {
    const all = [
      ...texts(20_000),
      'benchmark message p3-12345: the quick brown fox jumps over the lazy dog',
      'Hello,WORLD-WIDE_web 50% v2.0.1 e-mail@x.org https://example.com/a?b=c&d=e#f',
      'numbers 3.14 1e5 1E5 0x1F -7 +8 9e9z 007',
      "it's O'Brien's",
      `${'w'.repeat(499)} short`,
      `${'w'.repeat(500)} short`,
      `${'long '.repeat(500)}${'v'.repeat(450)}`,
      `${'long '.repeat(500)}${'v'.repeat(495)}`,
    ];
    const expected = await databaseWords(all);
    let taken = 0;
    for (const [i, text] of all.entries()) {
      const words = plainWords(text);
      if (words === null) continue;
      taken++;
      expect([...new Set(words)].sort(), JSON.stringify(text)).toEqual(expected[i]);
    }
    // Most generated texts hold a character only the database cuts; a fair share must not.
    expect(taken).toBeGreaterThan(1_000);
    expect(plainWords(all.at(-8)!)).not.toBeNull();
    for (const text of ['é', 'a\u0001b', '9e9z', '1E5', `${'w'.repeat(500)} short`, all.at(-1)!])
      expect(plainWords(text), text).toBeNull();
  });
});
