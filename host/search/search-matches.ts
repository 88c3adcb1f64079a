import type { Knex } from 'knex';
import type { MessageRow } from '../conversations/message-row.js';
import type { Database } from '../db/open-database.js';
import { sqliteSearchKey } from '../db/search-words.js';
import { narrow, type MatchedRow, type MatchQuery } from './match-query.js';
import { postgresMatches } from './postgres-matches.js';
import { fts5Query } from './search-terms.js';

export type { SearchFilters } from './match-query.js';

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
  const rows = (await narrow(knex, query, filters).query) as (MessageRow & { search_rowid: number })[];
  return rows.map(({ search_rowid, ...row }) => ({ row, position: { kind: 'sqlite', rowid: search_rowid } }));
}
