/**
 * Words as search cuts them, on both databases and in the host: runs of letters and digits (with
 * their combining marks); everything else separates words. No operators: what people type is
 * never syntax.
 */
export const SEARCH_WORD = /[\p{L}\p{N}][\p{L}\p{N}\p{M}]*/gu;

/**
 * A conversation's key in SQLite's search index: 32 bits of FNV-1a over its id, as 8 hex
 * digits. Two conversations may share a key; a search still checks each match's conversation.
 */
export function sqliteSearchKey(conversationId: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < conversationId.length; i++) {
    hash ^= conversationId.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

/**
 * What SQLite's FTS5 table indexes for a message: each word behind its conversation's key
 * (`0a1b2c3dhello 0a1b2c3dworld`), so that a search names exactly its conversations' words.
 * FTS5's tokenizer then folds case and diacritics as before. Null for a text with no words.
 */
export function sqliteKeyedWords(conversationId: string, text: string): string | null {
  const key = sqliteSearchKey(conversationId);
  let keyed = '';
  for (const [word] of text.matchAll(SEARCH_WORD)) keyed += keyed ? ` ${key}${word}` : `${key}${word}`;
  return keyed || null;
}
