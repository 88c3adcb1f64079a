import type { Knex } from 'knex';
import type { MessageRow } from '../conversations/message-row.js';
import { narrow, type MatchedRow, type MatchQuery, type SearchFilters } from './match-query.js';
import type { SearchTerms } from './search-terms.js';

/** About how many of the searcher's newest text messages the first try reads (migration 0020). */
const RECENT_WINDOW = 400;
/** How many newest messages of each conversation are looked at to place the window's start. */
const RECENT_PER_CONVERSATION = 24;
/** How many of the searcher's most recently active conversations place the window's start. */
const RECENT_CONVERSATIONS = 64;

/** Each query word `w.word`'s lexemes `l.lexeme`, cut and folded as the index cuts a text. */
const LEXEMES_OF_WORD = 'cross join lateral unnest(tsvector_to_array(switchboard_search_vector(w.word))) as l(lexeme)';

const NEWEST_FIRST = [
  { column: 'm.created_at', order: 'desc' },
  { column: 'm.conversation_id', order: 'desc' },
  { column: 'm.seq', order: 'desc' },
] as const;

/**
 * PostgreSQL's matches, in one statement.
 *
 * The GIN index names every match, in no order, and each is read from the table to be ordered by
 * time: a three-letter prefix in a tenth of the searcher's messages is thousands of rows, one in
 * half of them tens of thousands, 20–660 ms for a page of 20. So when the last word is a prefix
 * (what someone typing sends, and what matches most), the statement first reads only the messages
 * since a window's start: about the searcher's RECENT_WINDOW newest text messages, through the
 * (conversation_id, created_at, seq) index of migration 0020, each tested against the words. If
 * that fills the page, it is the page: every message left out is older than all of the window.
 * Otherwise the index's matches are read as before, after 1–3 ms spent on the window. Whole words
 * go to the index at once: they seldom fill the window (a word in one message of twenty finds
 * about 20 in 400), so trying would mostly cost those milliseconds for nothing.
 */
export async function postgresMatches(knex: Knex, search: MatchQuery): Promise<MatchedRow[]> {
  const { terms, filters, limit } = search;
  const keyed = wordsQuery(knex, terms, searchKeys(knex, filters));
  const { rows } = terms.lastIsPrefix
    ? await knex.raw<{ rows: MessageRow[] }>(
        `with q as materialized (select ? as q, ? as plain, ? as patterns),
          recent as materialized ?,
          windowed as materialized ?
        select * from windowed where (select count(*) from windowed) >= ?
        union all
        select * from ? as f where (select count(*) from windowed) < ?
        order by created_at desc, conversation_id desc, seq desc limit ?`,
        [
          keyed,
          wordsQuery(knex, terms, null),
          substringPatterns(knex, terms),
          windowStart(knex, search),
          windowedMatches(knex, search),
          limit,
          indexedMatches(knex, search),
          limit,
          limit,
        ],
      )
    : await knex.raw<{ rows: MessageRow[] }>(`with q as materialized (select ? as q) select * from ? as f`, [
        keyed,
        indexedMatches(knex, search),
      ]);
  return rows.map((row) => ({
    row,
    position: { kind: 'postgres', createdAt: row.created_at, conversationId: row.conversation_id, seq: row.seq },
  }));
}

/** The page's rows after `after` (the previous page's last), on the messages aliased `m`. */
function afterPosition(query: Knex.QueryBuilder, { after }: MatchQuery): Knex.QueryBuilder {
  if (after?.kind === 'postgres') {
    query.andWhereRaw('(m.created_at, m.conversation_id, m.seq) < (?, ?, ?)', [
      after.createdAt,
      after.conversationId,
      after.seq,
    ]);
  }
  return query;
}

/** The searcher's conversations (or the one searched), aliased `s`. */
function scope(knex: Knex, filters: SearchFilters): Knex.QueryBuilder {
  const query = knex('members as s').where('s.user_id', filters.userId);
  if (filters.conversationId !== undefined) query.andWhere('s.conversation_id', filters.conversationId);
  return query;
}

/**
 * The created_at of about the searcher's RECENT_WINDOW-th newest text message (before the
 * cursor): the newest few of each of the most recently active conversations, index-only, and the
 * oldest of the newest of them. Any start would give the right page; this one makes the window
 * hold about RECENT_WINDOW messages, and costs the same for someone in thousands of conversations.
 */
function windowStart(knex: Knex, search: MatchQuery): Knex.QueryBuilder {
  const { filters, after } = search;
  const perConversation = filters.conversationId !== undefined ? RECENT_WINDOW : RECENT_PER_CONVERSATION;
  const newest = knex('messages as r')
    .select('r.created_at')
    .whereRaw('r.conversation_id = s.conversation_id')
    .andWhere('r.content_type', 'text')
    .orderBy([
      { column: 'r.created_at', order: 'desc' },
      { column: 'r.seq', order: 'desc' },
    ])
    .limit(perConversation);
  if (after?.kind === 'postgres') newest.andWhere('r.created_at', '<=', after.createdAt);
  const active = scope(knex, filters)
    .join('conversations as c', 'c.id', 's.conversation_id')
    .select('s.conversation_id')
    .orderBy('c.last_activity_at', 'desc')
    .limit(RECENT_CONVERSATIONS);
  const candidates = knex
    .select('t.created_at')
    .from(active.as('s'))
    .crossJoin(knex.raw('lateral ? as t', [newest]))
    .orderBy('t.created_at', 'desc')
    .limit(RECENT_WINDOW);
  return knex.select(knex.raw('min(created_at) as since')).from(candidates.as('w'));
}

/**
 * The matches since the window's start, newest first: the searched conversations' messages since
 * then through the time index, in one scan. Each is tested against the words without keys (the
 * conversations are known), after a substring test that turns most away at a quarter of the cost.
 */
function windowedMatches(knex: Knex, search: MatchQuery): Knex.QueryBuilder {
  const { filters, limit } = search;
  const conversations = scope(knex, filters).select('s.conversation_id');
  const query = knex('messages as m')
    .select('m.*')
    .whereRaw('m.conversation_id = any(array(?))', [conversations])
    .andWhereRaw('m.created_at >= (select since from recent)')
    .andWhereRaw(
      '(octet_length(m.content) <> length(m.content) or lower(m.content) like all ((select patterns from q)::text[]))',
    )
    .andWhereRaw('switchboard_search_vector(m.content) @@ (select plain from q)')
    .orderBy([...NEWEST_FIRST])
    .limit(limit);
  return afterPosition(narrow(knex, query, filters), search);
}

/** Every match the GIN index names, newest first. */
function indexedMatches(knex: Knex, search: MatchQuery): Knex.QueryBuilder {
  // Fenced (offset 0): the index is asked once for all the searcher's conversations, never once
  // for each through a conversation index (the planner cannot see how few rows the keys select).
  const hits = knex.raw(
    `(select * from messages where content_type = 'text'
      and switchboard_search_keys(conversation_id, content) @@ (select q from q) offset 0) as m`,
  );
  const query = knex
    .select('m.*')
    .from(hits)
    .orderBy([...NEWEST_FIRST])
    .limit(search.limit);
  return afterPosition(narrow(knex, query, search.filters), search);
}

/** The keys of the searcher's conversations (or the one searched) in the search index. */
function searchKeys(knex: Knex, filters: SearchFilters): Knex.QueryBuilder {
  return scope(knex, filters).select(knex.raw('switchboard_search_key(s.conversation_id) as key'));
}

/**
 * The tsquery of the words: each word's lexemes (cut and folded as the index does), the words
 * and'ed, the last word a prefix (`:*`) when asked. With `keys`, that of migration 0018's index:
 * each lexeme prefixed with the key of every conversation searched, one word's keys or'ed; null
 * when the searcher has no conversation.
 */
function wordsQuery(knex: Knex, terms: SearchTerms, keys: Knex.QueryBuilder | null): Knex.Raw {
  const prefix = terms.words.map((_, i) => terms.lastIsPrefix && i === terms.words.length - 1);
  // A lexeme quoted for tsquery input: its quotes doubled, its backslashes escaped.
  const quoted = `'''' || replace(replace(k.key || l.lexeme, '\\', '\\\\'), '''', '''''') || ''''`;
  return knex.raw(
    `(select string_agg(term, ' & ')::tsquery from (
      select '(' || string_agg(${quoted} || case when w.prefix then ':*' else '' end, ' | ') || ')' as term
      from unnest(?::text[], ?::boolean[]) with ordinality as w(word, prefix, i)
      ${LEXEMES_OF_WORD}
      cross join ? as k
      group by w.i, l.lexeme) as terms)`,
    [[...terms.words], prefix, keys ?? knex.raw(`(select '' as key)`)],
  );
}

/**
 * LIKE patterns every message the words match contains, for the window's cheap first test (about
 * 2 µs against 7 for the vector): each lexeme of each word, between any characters. An ASCII text's
 * lexemes are its words lowercased (punctuation is a space and nothing else is folded), so each
 * lexeme a match needs is a substring of the lowercased text; other texts skip this test.
 */
function substringPatterns(knex: Knex, terms: SearchTerms): Knex.Raw {
  const escaped = `replace(replace(replace(l.lexeme, '\\', '\\\\'), '%', '\\%'), '_', '\\_')`;
  return knex.raw(
    `(select array_agg('%' || ${escaped} || '%') from unnest(?::text[]) as w(word)
      ${LEXEMES_OF_WORD})`,
    [[...terms.words]],
  );
}
