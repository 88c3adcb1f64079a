/**
 * A PostgreSQL statement prepared with a variant (db/statement-name.ts) has its name computed once
 * for that variant: the search statements skip compiling and hashing their text at every read. A
 * name stands for one text on every pooled connection, so no variant key may leave out anything
 * that changes the text: two texts under one name fail, or run the other's plan.
 */
import knexFactory, { type Knex } from 'knex';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { prepared, statementName } from '../host/db/statement-name.js';
import type { MatchQuery, SearchFilters } from '../host/search/match-query.js';
import type { SearchPosition } from '../host/search/search-cursor.js';
import type { SearchTerms } from '../host/search/search-terms.js';
import { candidatesQuery, type CandidateRun } from '../host/search/segment-candidates.js';
import { readQuery } from '../host/search/postgres-matches.js';

const knex = knexFactory({ client: 'pg' });
afterAll(() => knex.destroy());

/** A real query, `select <n> where "a" = ?`, whose compilations are counted. */
function counted(n: number) {
  const query = knex.select(knex.raw(String(n))).where('a', n);
  return { query, compiled: vi.spyOn(query, 'toSQL') };
}

/** The name a query was prepared under (compiling it once more: read the counts first). */
const nameOf = (query: Knex.QueryBuilder) => (query.toSQL().options as { name?: string }).name;

describe('prepared statements: names by variant', () => {
  it("computes a variant's name once, from its text, and reuses it", () => {
    const first = counted(1);
    const again = counted(1);
    prepared('test_reuse', first.query, 'a');
    prepared('test_reuse', again.query, 'a');
    expect(first.compiled).toHaveBeenCalledTimes(1);
    expect(again.compiled).not.toHaveBeenCalled();
    expect(nameOf(first.query)).toBe(statementName('test_reuse', 'select 1 where "a" = ?'));
    expect(nameOf(again.query)).toBe(nameOf(first.query));
  });

  it('gives other texts other names: another variant, another prefix, or no variant', () => {
    const a = prepared('test_texts', counted(1).query, 'x');
    const b = prepared('test_texts', counted(2).query, 'y');
    const c = prepared('test_other', counted(3).query, 'x');
    expect(new Set([nameOf(a), nameOf(b), nameOf(c)]).size).toBe(3);
    const plain = [counted(4), counted(5)];
    for (const { query } of plain) prepared('test_plain', query);
    expect(plain.map(({ compiled }) => compiled.mock.calls.length)).toEqual([1, 1]);
    expect(nameOf(plain[0]!.query)).not.toBe(nameOf(plain[1]!.query));
  });
});

describe('prepared statements: the search statements’ variants', () => {
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
