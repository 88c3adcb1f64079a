import type { Knex } from 'knex';
import type { MessageRow } from '../conversations/message-row.js';
import { narrow, type MatchedRow, type MatchQuery } from './match-query.js';
import { candidateRuns, type CandidateRun } from './segment-candidates.js';
import { plainWordsQuery, substringPatterns } from './postgres-words.js';
import { readRanges } from './segment-offsets.js';
import { prepared } from '../db/statement-name.js';

/** Messages the first read tests, about; each read after it tests twice as many. */
const FIRST_READ = 256;
/** What a run past the segments' cover counts for in a read's size (up to a segment's messages, usually fewer). */
const SEGMENT_GUESS = 64;
/**
 * What a segment the words name counts for: only its messages holding the words are read (about
 * 20 µs for its keys, then each match), so a first read takes 16 of them. On the benchmark's
 * mix, 16 read 1.7 times a search and cost 6.0 ms of the database's time; 64 (one per message)
 * read 2.8 times for 7.2 ms, 8 read 1.1 times for 6.9 ms (a common word reads too many matches).
 */
const POSITIONED_GUESS = 16;

/**
 * PostgreSQL's matches, newest first, over migration 0021's segments.
 *
 * The index names the runs of messages that may match (segment-candidates.ts): the segments
 * whose words hold every word asked, and each conversation's messages past its segments' cover.
 * They are read newest run first, a few at a time, and each message in them is tested against the
 * words as it is now; of a segment, only the messages its keys say hold every word (migration 0026). Once it holds a page, the walk reads at once the runs that may still hold a
 * newer match, only their messages newer than the page's last, and stops. A common word so ends
 * after the newest runs, a rare one after the few runs that hold it.
 */
export async function postgresMatches(knex: Knex, search: MatchQuery): Promise<MatchedRow[]> {
  const runs = relevant(await candidateRuns(knex, search), search);
  let found: MessageRow[] = [];
  let next = 0;
  for (let budget = FIRST_READ; next < runs.length; budget *= 2) {
    const last = found[search.limit - 1];
    const read: CandidateRun[] = [];
    let size = 0;
    // With a page held, every run that may still hold a newer match is read at once, and only
    // its messages newer than the page's last: most runs then cost a look at each message's time.
    while (next < runs.length && (read.length === 0 || size < budget || last !== undefined)) {
      const run = runs[next]!;
      if (last !== undefined && last.created_at > run.newestAt) break;
      read.push(run);
      next++;
      size += run.positioned ? POSITIONED_GUESS : run.lastSeq === null ? SEGMENT_GUESS : run.lastSeq - run.firstSeq + 1;
    }
    if (read.length === 0) break;
    found = [...found, ...((await readQuery(knex, search, read, last?.created_at)) as MessageRow[])]
      .sort(newestFirst)
      .slice(0, search.limit);
  }
  return found.map((row) => ({
    row,
    position: { kind: 'postgres', createdAt: row.created_at, conversationId: row.conversation_id, seq: row.seq },
  }));
}

/** The runs that can hold a match after the cursor and within the dates asked, newest first. */
function relevant(runs: CandidateRun[], { after, filters }: MatchQuery): CandidateRun[] {
  return runs
    .filter(
      (r) =>
        (after?.kind !== 'postgres' || r.oldestAt === null || r.oldestAt <= after.createdAt) &&
        (filters.since === undefined || r.newestAt >= filters.since) &&
        (filters.until === undefined || r.oldestAt === null || r.oldestAt < filters.until),
    )
    .sort((a, b) => b.newestAt - a.newestAt);
}

/**
 * The order of results and of the cursor: time, then conversation id (compared as bytes, as the
 * SQL below does with collate "C"), then seq.
 */
function newestFirst(a: MessageRow, b: MessageRow): number {
  if (a.created_at !== b.created_at) return b.created_at - a.created_at;
  if (a.conversation_id !== b.conversation_id) return a.conversation_id < b.conversation_id ? 1 : -1;
  return b.seq - a.seq;
}

/**
 * The page's matches among `runs`' messages (none older than `notBefore`), newest first. Each
 * message is tested against the words without keys (its conversation is known), after a
 * substring test that turns most away at a quarter of the cost. Prepared under its variant's
 * name, so its text is hashed once a variant, not at every read: the variant is marked where the
 * text changes, by readRanges, by narrow and by the bounds below.
 */
export function readQuery(
  knex: Knex,
  search: MatchQuery,
  runs: readonly CandidateRun[],
  notBefore: number | undefined,
): Knex.QueryBuilder {
  const { terms, filters, after, limit } = search;
  const ranges = readRanges(knex, terms, runs);
  let bounds = '';
  const query = knex
    .select('m.*')
    .from(ranges.query)
    .join(
      knex.raw('messages as m on m.conversation_id = r.conversation_id and m.seq between r.first_seq and r.last_seq'),
    )
    .andWhereRaw('(octet_length(m.content) <> length(m.content) or lower(m.content) like all (?::text[]))', [
      substringPatterns(knex, terms),
    ])
    .andWhereRaw('switchboard_search_vector(m.content) @@ ?', [plainWordsQuery(knex, terms)])
    .orderByRaw('m.created_at desc, m.conversation_id collate "C" desc, m.seq desc')
    .limit(limit);
  if (notBefore !== undefined) {
    query.andWhere('m.created_at', '>=', notBefore);
    bounds += 'b';
  }
  if (after?.kind === 'postgres') {
    query.andWhereRaw('(m.created_at, m.conversation_id collate "C", m.seq) < (?, ? collate "C", ?)', [
      after.createdAt,
      after.conversationId,
      after.seq,
    ]);
    bounds += 'a';
  }
  const narrowed = narrow(knex, query, filters);
  // Spaces keep the parts' marks apart (any part may have none).
  return prepared('search_read', narrowed.query, `${ranges.variant} ${bounds} ${narrowed.variant}`);
}
