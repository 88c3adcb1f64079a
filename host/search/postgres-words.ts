import type { Knex } from 'knex';
import { prefixFlags, type SearchTerms } from './search-terms.js';

/** Each query word `w.word`'s lexemes `l.lexeme`, cut and folded as the index cuts a text. */
export const LEXEMES_OF_WORD =
  'cross join lateral unnest(tsvector_to_array(switchboard_search_vector(w.word))) as l(lexeme)';

/** The words as a tsquery a message's own words (`switchboard_search_vector`) are tested with. */
export function plainWordsQuery(knex: Knex, terms: SearchTerms): Knex.Raw {
  return keyedWordsQuery(knex, terms, knex.raw(`(select '' as key)`));
}

/**
 * The words as a tsquery of the search index's keyed words (migration 0018's keys, kept by
 * 0021's segments): each lexeme behind the key of every conversation `keys` names (a column
 * `key`), one word's keys or'ed. Null when `keys` names none.
 */
export function keyedWordsQuery(knex: Knex, terms: SearchTerms, keys: Knex.Raw): Knex.Raw {
  // A lexeme quoted for tsquery input: its quotes doubled, its backslashes escaped.
  const quoted = `'''' || replace(replace(k.key || l.lexeme, '\\', '\\\\'), '''', '''''') || ''''`;
  return knex.raw(
    `(select string_agg(term, ' & ')::tsquery from (
      select '(' || string_agg(${quoted} || case when w.prefix then ':*' else '' end, ' | ') || ')' as term
      from unnest(?::text[], ?::boolean[]) with ordinality as w(word, prefix, i)
      ${LEXEMES_OF_WORD}
      cross join ? as k
      group by w.i, l.lexeme) as terms)`,
    [[...terms.words], prefixFlags(terms), keys],
  );
}

/**
 * LIKE patterns every message the words match contains, for a cheap first test (about 2 µs
 * against 7 for the vector): each lexeme of each word, between any characters. An ASCII text's
 * lexemes are its words lowercased (punctuation is a space and nothing else is folded), so each
 * lexeme a match needs is a substring of the lowercased text; other texts skip this test.
 */
export function substringPatterns(knex: Knex, terms: SearchTerms): Knex.Raw {
  const escaped = `replace(replace(replace(l.lexeme, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;
  return knex.raw(
    `(select array_agg('%' || ${escaped} || '%') from unnest(?::text[]) as w(word)
      ${LEXEMES_OF_WORD})`,
    [[...terms.words]],
  );
}
