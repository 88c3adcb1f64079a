import type BetterSqlite3 from 'better-sqlite3';
import { sqliteKeyedWords } from './search-words.js';

/**
 * `switchboard_search_keys(conversation_id, content)`, which SQLite's search triggers
 * call (migration 0019): SQLite has no function to cut words, so the host lends its own. Every
 * connection that writes messages or rebuilds the index needs it; it is registered on each one the
 * host opens (and by the tests' and benchmarks' direct connections). A tool without it (the
 * sqlite3 shell) can read everything, but cannot write a text message (docs/operators.md).
 */
export function registerSearchFunction(db: BetterSqlite3.Database): void {
  db.function('switchboard_search_keys', { deterministic: true }, (conversationId: unknown, content: unknown) =>
    typeof conversationId === 'string' && typeof content === 'string'
      ? sqliteKeyedWords(conversationId, content)
      : null,
  );
}
