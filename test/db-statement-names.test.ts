/**
 * A PostgreSQL statement prepared with a variant (db/statement-name.ts) has its name computed once
 * for that variant: the search statements skip compiling and hashing their text at every read. A
 * name stands for one text on every pooled connection, so no variant key may leave out anything
 * that changes the text: two texts under one name fail, or run the other's plan.
 */
import knexFactory from 'knex';
import { afterAll, describe, expect, it } from 'vitest';
import { prepared, statementName } from '../host/db/statement-name.js';
import type { MatchQuery, SearchFilters } from '../host/search/match-query.js';
import type { SearchPosition } from '../host/search/search-cursor.js';
import type { SearchTerms } from '../host/search/search-terms.js';
import { candidatesQuery, type CandidateRun } from '../host/search/segment-candidates.js';
import { readQuery } from '../host/search/postgres-matches.js';

/** A query whose text is `sql`, counting how often it is compiled. */
function fakeQuery(sql: string) {
  const query = {
    compiled: 0,
    name: undefined as string | undefined,
    toSQL() {
      query.compiled++;
      return { sql };
    },
    options(options: { name?: string }) {
      query.name = options.name;
      return query;
    },
  };
  return query;
}

describe('prepared statements: names by variant', () => {
  it("computes a variant's name once, from its text, and reuses it", () => {
    const first = prepared('test_reuse', fakeQuery('select 1 where a = ?'), 'a');
    const again = prepared('test_reuse', fakeQuery('select 1 where a = ?'), 'a');
    expect(first.name).toBe(statementName('test_reuse', 'select 1 where a = ?'));
    expect(first.compiled).toBe(1);
    expect(again.name).toBe(first.name);
    expect(again.compiled).toBe(0);
  });

  it('gives other texts other names: another variant, another prefix, or no variant', () => {
    const a = prepared('test_texts', fakeQuery('select 1'), 'x');
    const b = prepared('test_texts', fakeQuery('select 2'), 'y');
    const c = prepared('test_other', fakeQuery('select 3'), 'x');
    expect(new Set([a.name, b.name, c.name]).size).toBe(3);
    const plain = [prepared('test_plain', fakeQuery('select 4')), prepared('test_plain', fakeQuery('select 5'))];
    expect(plain.map((q) => q.compiled)).toEqual([1, 1]);
    expect(plain[0]!.name).not.toBe(plain[1]!.name);
  });
});

describe('prepared statements: the search statements’ variants', () => {
  const knex = knexFactory({ client: 'pg' });
  afterAll(() => knex.destroy());

  /** Every filter with values that must not change the text (a new filter must be added here). */
  const filterValues: { [K in keyof SearchFilters]-?: SearchFilters[K][] } = {
    userId: ['u1', 'u2'],
    conversationId: [undefined, 'c1', 'c2'],
    senderId: [undefined, 's1'],
    since: [undefined, 1000],
    until: [undefined, 5000],
    hasAttachment: [undefined, true, false],
  };
  const allFilters = Object.entries(filterValues).reduce<SearchFilters[]>(
    (list, [field, values]) => list.flatMap((f) => values.map((v) => ({ ...f, [field]: v }))),
    [{ userId: '' }],
  );
  const terms: SearchTerms[] = [
    { words: ['a'], lastIsPrefix: false },
    { words: ['a', 'b', 'c'], lastIsPrefix: false },
    { words: ['abc'], lastIsPrefix: true },
    { words: ['a', 'b', 'cde'], lastIsPrefix: true },
  ];
  const run = (conversationId: string, positioned: boolean, lastSeq: number | null): CandidateRun => ({
    conversationId,
    firstSeq: 1,
    lastSeq,
    oldestAt: null,
    newestAt: 10,
    positioned,
  });
  const runLists: CandidateRun[][] = [
    [run('c1', false, null)],
    [run('c1', false, 64), run('c2', false, null)],
    [run('c1', true, 64)],
    [run('c1', true, 64), run('c2', true, 128)],
    [run('c1', true, 64), run('c2', false, null)],
    [run('c1', false, 64), run('c1', true, 64), run('c2', false, null)],
  ];
  const afters: (SearchPosition | null)[] = [
    null,
    { kind: 'postgres', createdAt: 5, conversationId: 'c1', seq: 3 },
    { kind: 'postgres', createdAt: 7, conversationId: 'c2', seq: 9 },
    { kind: 'sqlite', rowid: 4 },
  ];

  /** Asks each statement, checking that each name it is given stands for one text only. */
  const textsOfName = new Map<string, string>();
  const check = (query: { toSQL(): { sql: string; options?: { name?: string } } }) => {
    const { sql, options } = query.toSQL();
    const name = options?.name;
    expect(name).toBeDefined();
    const text = textsOfName.get(name!);
    if (text !== undefined && text !== sql) expect.fail(`${name} stands for two texts:\n${text}\n${sql}`);
    textsOfName.set(name!, sql);
  };

  it('never names two texts alike, whatever the filters, words, runs and bounds', () => {
    let asked = 0;
    for (const filters of allFilters) {
      for (const [i, words] of terms.entries()) {
        for (const [j, after] of afters.entries()) {
          const search: MatchQuery = { terms: words, filters, after, limit: 10 + i + j };
          check(candidatesQuery(knex, search));
          for (const runs of runLists) {
            for (const notBefore of [undefined, 3]) {
              check(readQuery(knex, search, runs, notBefore));
              asked++;
            }
          }
        }
      }
    }
    expect(asked).toBe(allFilters.length * terms.length * afters.length * runLists.length * 2);
    // Each variant is one text: the texts are as many as the names.
    expect(new Set(textsOfName.values()).size).toBe(textsOfName.size);
    expect(textsOfName.size).toBeGreaterThan(100);
  });
});
