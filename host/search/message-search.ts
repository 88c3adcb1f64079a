import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { SearchResult } from '../../sdk/protocol/search.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import type { HostConfig } from '../config/host-config.js';
import { requireMembership } from '../conversations/membership.js';
import { withReactions } from '../conversations/message-row.js';
import { decodeCursor, encodeCursor } from './search-cursor.js';
import { findMatches, type SearchFilters } from './search-matches.js';
import { searchSnippet } from './search-snippet.js';
import { SearchIndexerToken, type SearchIndexer } from './search-indexer.js';
import { searchTerms } from './search-terms.js';

export interface SearchRequest extends Omit<SearchFilters, 'userId'> {
  readonly q: string;
  readonly cursor?: string;
  readonly limit: number;
}

/** Full-text search over the messages a user may read (docs/protocol.md, "Search"). */
@injectable()
export class MessageSearch {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(SearchIndexerToken) private readonly indexer: SearchIndexer,
  ) {}

  async search(userId: string, request: SearchRequest): Promise<SearchResult> {
    const { maxQueryLength, maxWords, snippetLength } = this.config.search;
    if (request.q.length > maxQueryLength) {
      throw new SwitchboardError('invalid_request', `A query may be at most ${maxQueryLength} characters long.`, {
        details: [{ path: '/query/q', message: `must be at most ${maxQueryLength} characters` }],
      });
    }
    const terms = searchTerms(request.q, maxWords);
    const after = request.cursor === undefined ? null : decodeCursor(request.cursor, this.db.kind);
    // One conversation: a non-member hears what history() would tell them.
    if (request.conversationId !== undefined) await requireMembership(this.db.knex, request.conversationId, userId);
    const { q: _q, cursor: _cursor, limit, ...filters } = request;
    await this.indexer.catchUp();
    const matches = await findMatches(this.db, { terms, filters: { ...filters, userId }, after, limit: limit + 1 });
    const page = matches.slice(0, limit);
    const messages = await withReactions(
      this.db.knex,
      page.map((m) => m.row),
    );
    return {
      results: messages.map((message, i) => ({
        message,
        snippet: searchSnippet(page[i]!.row.content ?? '', terms, snippetLength),
      })),
      nextCursor: matches.length > limit ? encodeCursor(page.at(-1)!.position) : null,
    };
  }
}
