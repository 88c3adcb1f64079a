import type { Knex } from 'knex';
import type { CandidateRun } from './segment-candidates.js';
import { prefixFlags, type SearchTerms } from './search-terms.js';
import { LEXEMES_OF_WORD } from './postgres-words.js';
import type { WithVariant } from '../db/statement-name.js';

/**
 * The seq ranges a read tests, as rows `(conversation_id, first_seq, last_seq)`: each run that is
 * not a positioned segment whole, and of each positioned segment only the messages that hold
 * every word, from the offsets its keys keep (migration 0026): one row a message. A segment's
 * keys are read once (about 20 µs) where fetching its 64 messages to test them cost about 250.
 *
 * Its variant for prepared() is marked by each branch that changes the text: whole runs, positioned
 * segments, and their prefix word. The runs and words themselves are bindings (arrays).
 */
export function readRanges(knex: Knex, terms: SearchTerms, runs: readonly CandidateRun[]): WithVariant<Knex.Raw> {
  const whole = runs.filter((r) => !r.positioned);
  const segments = runs.filter((r) => r.positioned);
  const parts: string[] = [];
  let variant = '';
  const bindings: Knex.RawBinding[] = [];
  const unnestRuns = (list: readonly CandidateRun[]) => {
    bindings.push(
      list.map((r) => r.conversationId),
      list.map((r) => r.firstSeq),
      // A run past the cover goes to the newest; a bound keeps the seq range an index condition.
      list.map((r) => r.lastSeq ?? Number.MAX_SAFE_INTEGER),
    );
    return 'unnest(?::text[], ?::bigint[], ?::bigint[]) as r(conversation_id, first_seq, last_seq)';
  };
  if (whole.length > 0) {
    parts.push(`select r.conversation_id, r.first_seq, r.last_seq from ${unnestRuns(whole)}`);
    variant += 'w';
  }
  if (segments.length > 0) {
    const lexemes = segmentLexemes(terms.lastIsPrefix);
    variant += 's' + lexemes.variant;
    parts.push(`select g.conversation_id, g.first_seq + p.pos - 1 as first_seq, g.first_seq + p.pos - 1 as last_seq
      from ${unnestRuns(segments)}
      join search_segments g on g.conversation_id = r.conversation_id and g.first_seq = r.first_seq
      cross join lateral (select switchboard_search_key(g.conversation_id) as key) k
      cross join lateral unnest(ts_filter(setweight(g.keys, 'A', ${lexemes.query}), '{a}')) as t
      join words w on case when w.prefix then starts_with(t.lexeme, k.key || w.lexeme) else t.lexeme = k.key || w.lexeme end
      cross join lateral unnest(t.positions) as p(pos)
      where g.first_seq + p.pos - 1 <= r.last_seq
      group by g.conversation_id, g.first_seq, p.pos
      having count(distinct w.n) = (select count(*) from words)`);
  }
  if (segments.length === 0) return { query: knex.raw(`(${parts[0]}) as r`, bindings), variant };
  // Each query word's lexemes, cut as the index cuts a text; a message must hold every one.
  const words = `words as (select row_number() over () as n, l.lexeme, w.prefix
    from unnest(?::text[], ?::boolean[]) as w(word, prefix)
    ${LEXEMES_OF_WORD})`;
  return {
    query: knex.raw(`(with ${words} ${parts.join(' union all ')}) as r`, [
      [...terms.words],
      prefixFlags(terms),
      ...bindings,
    ]),
    variant,
  };
}

/**
 * The segment's lexemes the words name, for setweight() to mark: each exact word's keyed
 * lexeme, and for a prefix word every lexeme of the segment that starts with it (its variant).
 */
function segmentLexemes(hasPrefix: boolean): WithVariant<string> {
  const exact = `array(select k.key || w.lexeme from words w where not w.prefix)`;
  if (!hasPrefix) return { query: exact, variant: '' };
  return {
    query: `${exact} || array(select unnest(switchboard_prefix_lexemes(g.keys, k.key || w.lexeme)) from words w where w.prefix)`,
    variant: 'p',
  };
}
