import type { Knex } from 'knex';
import type { MatchQuery } from './match-query.js';
import { prepared } from '../db/statement-name.js';
import { keyedWordsQuery } from './postgres-words.js';

/**
 * Messages of one conversation that may match: seqs firstSeq to lastSeq (null: to the newest),
 * stored between oldestAt (null: unknown) and newestAt.
 */
export interface CandidateRun {
  readonly conversationId: string;
  readonly firstSeq: number;
  readonly lastSeq: number | null;
  readonly oldestAt: number | null;
  readonly newestAt: number;
  /** A segment the words name, whose keys say which of its messages hold them (migration 0026). */
  readonly positioned: boolean;
}

/**
 * Where a search's matches may be, in one statement over migration 0021's segments, in the
 * searcher's conversations (or the one searched):
 *   - the segments whose keyed words hold every word (the GIN index is asked once for all
 *     the conversations, never once for each: fenced in a materialized CTE);
 *   - the segments that keep no words (too much text), always;
 *   - each conversation's messages past its segments' cover, until its last activity (which
 *     only moves forward, so no message there is newer). Each conversation is a probe of its key
 *     (a lateral subquery): the prepared statement's generic plan otherwise hashed the whole
 *     conversations table for a user's few.
 */
export async function candidateRuns(knex: Knex, search: MatchQuery): Promise<CandidateRun[]> {
  const { rows } = await candidatesQuery(knex, search);
  return rows.map((r) => ({
    conversationId: r.conversation_id,
    firstSeq: r.first_seq,
    lastSeq: r.last_seq,
    oldestAt: r.oldest_at,
    newestAt: r.newest_at,
    positioned: r.positioned,
  }));
}

/**
 * candidateRuns' statement, prepared under its variant's name: its text changes only with
 * whether one conversation is searched (the words are arrays, bound whole).
 */
export function candidatesQuery(knex: Knex, { filters, terms }: MatchQuery): Knex.Raw<{ rows: CandidateRow[] }> {
  const conversations = knex('members').select('conversation_id').where('user_id', filters.userId);
  if (filters.conversationId !== undefined) conversations.andWhere('conversation_id', filters.conversationId);
  const keys = knex.raw('(select switchboard_search_key(conversation_id) as key from conv)');
  return prepared(
    'search_candidates',
    knex.raw<{ rows: CandidateRow[] }>(
      `with conv as materialized (?),
      q as materialized (select ? as q),
      hits as materialized (
        select conversation_id, first_seq, last_seq, oldest_at, newest_at, true as positioned from search_segments
        where keys @@ (select q from q) and last_seq >= first_seq)
    select h.* from hits h where h.conversation_id in (select conversation_id from conv)
    union all
    select g.conversation_id, g.first_seq, g.last_seq, g.oldest_at, g.newest_at, false
    from conv c join search_segments g on g.conversation_id = c.conversation_id
    where g.keys is null
    union all
    select c.conversation_id, b.covered + 1, null, null, k.last_activity_at, false
    from conv c cross join lateral (select last_seq, last_activity_at from conversations where id = c.conversation_id limit 1) k
    cross join lateral (
      select coalesce((select g.last_seq from search_segments g
        where g.conversation_id = c.conversation_id and g.last_seq >= g.first_seq
        order by g.first_seq desc limit 1), 0) as covered) b
    where k.last_seq > b.covered`,
      [conversations, keyedWordsQuery(knex, terms, keys)],
    ),
    filters.conversationId === undefined ? 'all' : 'one',
  );
}

interface CandidateRow {
  conversation_id: string;
  first_seq: number;
  last_seq: number | null;
  oldest_at: number | null;
  newest_at: number;
  positioned: boolean;
}
