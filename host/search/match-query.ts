import type { Knex } from 'knex';
import type { WithVariant } from '../db/statement-name.js';
import type { MessageRow } from '../conversations/message-row.js';
import type { SearchPosition } from './search-cursor.js';
import type { SearchTerms } from './search-terms.js';

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
 * The conditions both databases share, on the messages aliased `m`, with their variant for
 * prepared(): each filter given marks it (attachments wanted or not, each its own), where it
 * changes the text. Their values are bindings.
 */
export function narrow(knex: Knex, query: Knex.QueryBuilder, f: SearchFilters): WithVariant<Knex.QueryBuilder> {
  let variant = '';
  query
    .where('m.content_type', 'text')
    .whereNull('m.deleted_at')
    .whereIn('m.conversation_id', knex('members').select('conversation_id').where('user_id', f.userId));
  if (f.conversationId !== undefined) {
    query.andWhere('m.conversation_id', f.conversationId);
    variant += 'c';
  }
  if (f.senderId !== undefined) {
    query.andWhere('m.sender_id', f.senderId);
    variant += 's';
  }
  if (f.since !== undefined) {
    query.andWhere('m.created_at', '>=', f.since);
    variant += '>';
  }
  if (f.until !== undefined) {
    query.andWhere('m.created_at', '<', f.until);
    variant += '<';
  }
  if (f.hasAttachment !== undefined) {
    // Part A's table: a message has an attachment when one is linked to it.
    const attached = knex('attachments as a').select(knex.raw('1')).whereRaw('a.message_id = m.id');
    if (f.hasAttachment) {
      query.whereExists(attached);
      variant += 'a';
    } else {
      query.whereNotExists(attached);
      variant += 'n';
    }
  }
  return { query, variant };
}
