import type { Knex } from 'knex';
import type { MessageRow } from '../conversations/message-row.js';
import type { Database } from '../db/open-database.js';
import { sqliteSearchKey } from '../db/search-words.js';
import type { SearchPosition } from './search-cursor.js';
import { fts5Query, type SearchTerms } from './search-terms.js';

/** What narrows a search, beyond the words: the caller's conversations always. */
export interface SearchFilters {
  readonly userId: string;
  readonly conversationId?: string;
  readonly senderId?: string;
  /** Epoch ms, inclusive. */
  readonly since?: number;
  /** Epoch ms, exclusive. */
  readonly until?: number;
  readonly hasAttachment?: boolean;
}

/** Up to `limit` matches of `terms` under `filters`, after `after` (the previous page's end). */
export interface MatchQuery {
  readonly terms: SearchTerms;
  readonly filters: SearchFilters;
  readonly after: SearchPosition | null;
  readonly limit: number;
}

export interface MatchedRow {
  readonly row: MessageRow;
  readonly position: SearchPosition;
}

/**
 * Up to `limit` live text messages matching `terms`, newest first, after `after`. Only messages
 * of conversations the user is a member of now: history() shows a member every message of the
 * conversation, and nothing to anyone else, so search follows the same rule.
 */
export async function findMatches(db: Database, search: MatchQuery): Promise<MatchedRow[]> {
  return db.kind === 'sqlite' ? sqliteMatches(db.knex, search) : postgresMatches(db.knex, search);
}

async function sqliteMatches(knex: Knex, { terms, filters, after, limit }: MatchQuery): Promise<MatchedRow[]> {
  const conversations =
    filters.conversationId !== undefined
      ? [filters.conversationId]
      : await knex('members').where('user_id', filters.userId).pluck<string[]>('conversation_id');
  const keys = [...new Set(conversations.map(sqliteSearchKey))];
  if (keys.length === 0) return [];
  // CROSS JOIN keeps the index as the outer loop: FTS5 merges the keys' lists newest rowid first
  // and SQLite stops at the limit.
  const query = knex
    .select('m.*', 'messages_fts.rowid as search_rowid')
    .from(knex.raw('messages_fts cross join messages as m on m.rowid = messages_fts.rowid'))
    .whereRaw('messages_fts match ?', [fts5Query(terms, keys)])
    .orderBy('messages_fts.rowid', 'desc')
    .limit(limit);
  if (after?.kind === 'sqlite') query.andWhere('messages_fts.rowid', '<', after.rowid);
  const rows = (await narrow(knex, query, filters)) as (MessageRow & { search_rowid: number })[];
  return rows.map(({ search_rowid, ...row }) => ({ row, position: { kind: 'sqlite', rowid: search_rowid } }));
}

async function postgresMatches(knex: Knex, { terms, filters, after, limit }: MatchQuery): Promise<MatchedRow[]> {
  // Fenced (offset 0): the index is asked once for all the searcher's conversations, never once
  // for each through a conversation index (the planner cannot see how few rows the keys select).
  const hits = knex.raw(
    `(select * from messages where content_type = 'text'
      and switchboard_search_keys(conversation_id, content) @@ ? offset 0) as m`,
    [keyedQuery(knex, terms, filters)],
  );
  const query = knex
    .select('m.*')
    .from(hits)
    .orderBy([
      { column: 'm.created_at', order: 'desc' },
      { column: 'm.conversation_id', order: 'desc' },
      { column: 'm.seq', order: 'desc' },
    ])
    .limit(limit);
  if (after?.kind === 'postgres') {
    query.andWhereRaw('(m.created_at, m.conversation_id, m.seq) < (?, ?, ?)', [
      after.createdAt,
      after.conversationId,
      after.seq,
    ]);
  }
  const rows = (await narrow(knex, query, filters)) as MessageRow[];
  return rows.map((row) => ({
    row,
    position: { kind: 'postgres', createdAt: row.created_at, conversationId: row.conversation_id, seq: row.seq },
  }));
}

/**
 * The tsquery of migration 0018's index: each word's lexemes (cut and folded as the index does),
 * each prefixed with the key of every conversation searched; one word's keys or'ed, the words
 * and'ed, the last word a prefix (`:*`) when asked. Null when the searcher has no conversation.
 */
function keyedQuery(knex: Knex, terms: SearchTerms, filters: SearchFilters): Knex.Raw {
  const keys = knex('members')
    .select(knex.raw('switchboard_search_key(conversation_id) as key'))
    .where('user_id', filters.userId);
  if (filters.conversationId !== undefined) keys.andWhere('conversation_id', filters.conversationId);
  const prefix = terms.words.map((_, i) => terms.lastIsPrefix && i === terms.words.length - 1);
  // A lexeme quoted for tsquery input: its quotes doubled, its backslashes escaped.
  const quoted = `'''' || replace(replace(k.key || l.lexeme, '\\', '\\\\'), '''', '''''') || ''''`;
  return knex.raw(
    `(select string_agg(term, ' & ')::tsquery from (
      select '(' || string_agg(${quoted} || case when w.prefix then ':*' else '' end, ' | ') || ')' as term
      from unnest(?::text[], ?::boolean[]) with ordinality as w(word, prefix, i)
      cross join lateral unnest(tsvector_to_array(switchboard_search_vector(w.word))) as l(lexeme)
      cross join (?) as k
      group by w.i, l.lexeme) as terms)`,
    [[...terms.words], prefix, keys],
  );
}

/** The conditions both databases share, on the messages aliased `m`. */
function narrow(knex: Knex, query: Knex.QueryBuilder, f: SearchFilters): Knex.QueryBuilder {
  query
    .where('m.content_type', 'text')
    .whereNull('m.deleted_at')
    .whereIn('m.conversation_id', knex('members').select('conversation_id').where('user_id', f.userId));
  if (f.conversationId !== undefined) query.andWhere('m.conversation_id', f.conversationId);
  if (f.senderId !== undefined) query.andWhere('m.sender_id', f.senderId);
  if (f.since !== undefined) query.andWhere('m.created_at', '>=', f.since);
  if (f.until !== undefined) query.andWhere('m.created_at', '<', f.until);
  if (f.hasAttachment !== undefined) {
    // Part A's table: a message has an attachment when one is linked to it.
    const attached = knex('attachments as a').select(knex.raw('1')).whereRaw('a.message_id = m.id');
    if (f.hasAttachment) query.whereExists(attached);
    else query.whereNotExists(attached);
  }
  return query;
}
