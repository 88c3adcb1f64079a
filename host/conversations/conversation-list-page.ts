import type { Knex } from 'knex';
import type { ConversationListQuery } from '../../sdk/protocol/conversation-archive.js';
import { afterPosition, keysetPage, parseKeysetCursor } from '../db/keyset-cursor.js';

/**
 * The listing's order, filter and page: newest activity first (the id breaks ties, so pages
 * neither repeat nor skip one), the member's archived ones or the others, `limit` + 1 rows to tell
 * whether a page follows. Without `limit` every row comes, as before paging existed.
 */
export function pageListing(listing: Knex.QueryBuilder, query: ConversationListQuery): void {
  if (query.archived !== undefined) {
    if (query.archived) listing.whereNotNull('m.archived_at');
    else listing.whereNull('m.archived_at');
  }
  if (query.cursor !== undefined) afterPosition(listing, 'c.last_activity_at', 'c.id', parseKeysetCursor(query.cursor));
  listing.orderBy([
    { column: 'c.last_activity_at', order: 'desc' },
    { column: 'c.id', order: 'desc' },
  ]);
  if (query.limit !== undefined) listing.limit(query.limit + 1);
}

/** The rows of the page, and the cursor of the next one (null on the last). */
export function pageOf<R extends { id: string; last_activity_at: number }>(
  rows: R[],
  limit: number | undefined,
): { page: R[]; nextCursor: string | null } {
  return keysetPage(rows, limit, (last) => ({ at: Number(last.last_activity_at), id: last.id }));
}
