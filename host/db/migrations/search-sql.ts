import type { Knex } from 'knex';

/**
 * Fills SQLite's (empty) search index from the messages: migration 0019 and a rebuild; with a
 * rowid range appended (`and rowid > …`), the indexer behind the writer (0024).
 */
export const SQLITE_SEARCH_FILL = `insert into messages_fts(rowid, content)
  select rowid, switchboard_search_keys(conversation_id, content) from messages
  where content_type = 'text' and content is not null`;

/**
 * The SQL of PostgreSQL's search index, in one place for the migrations that define its functions
 * (0009, 0018). Only pg_catalog functions, so a function body evaluates the same under any
 * search_path (autovacuum, restores, maintenance under PostgreSQL 17's safe search_path), and one
 * expression (no sub-select), so PostgreSQL inlines it where it indexes each message.
 */

/** Whether normalize() works here: it needs a UTF8 database (elsewhere only case is folded). */
export async function isUtf8(knex: Knex): Promise<boolean> {
  const { rows } = await knex.raw<{ rows: { encoding: string }[] }>(
    `select current_setting('server_encoding') as encoding`,
  );
  return rows[0]!.encoding === 'UTF8';
}

/** `text` with the diacritics of Latin letters dropped (as SQLite's unicode61 does). */
export function foldSql(text: string, utf8: boolean): string {
  return utf8
    ? `case when octet_length(${text}) = length(${text}) then ${text}
          else normalize(regexp_replace(normalize(${text}, NFD), '([A-Za-z])[\\u0300-\\u036f]+', '\\1', 'g'), NFC) end`
    : text;
}

/** The words of `text` as a tsvector: folded, ASCII punctuation read as spaces, 'simple' (no stemming). */
export function searchVectorSql(text: string, utf8: boolean): string {
  return `to_tsvector('simple'::regconfig, regexp_replace(${foldSql(text, utf8)}, '[!-/:-@[-\`{-~]+', ' ', 'g'))`;
}

/**
 * The key of a conversation in the search index: 32 bits of a hash, as 8 hex digits. Two
 * conversations may share a key; a search still checks each match's conversation, so that costs
 * only a few rows read. hashtextextended() is stable across releases (hash partitioning relies on it).
 */
export function searchKeySql(conversationId: string): string {
  return `lpad(to_hex(hashtextextended(${conversationId}, 0) & 4294967295), 8, '0')`;
}

/**
 * A message's words, each prefixed with its conversation's key: `0a1b2c3dhello`. A search of
 * someone's conversations looks up exactly those conversations' words in the index, instead of
 * reading a common word's list for each of them. A lexeme may have at most 2,047 bytes: in a
 * text long enough to hold one (2,040 bytes or more), words of 500 characters or more are left
 * out (a query word has at most 256). Null for a text with no words.
 */
export function searchKeysSql(conversationId: string, text: string, utf8: boolean): string {
  const key = searchKeySql(conversationId);
  const joined = `${key} || nullif(array_to_string(tsvector_to_array(${searchVectorSql(text, utf8)}), ' ' || ${key}), '')`;
  return `case when octet_length(${text}) < 2040 then array_to_tsvector(string_to_array(${joined}, ' '))
    else array_to_tsvector(array_remove(string_to_array(regexp_replace(${joined}, '[^ ]{250}[^ ]{250}[^ ]*', '', 'g'), ' '), '')) end`;
}
