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

/** A character past ASCII (any UTF-16 unit from 0x80): a text without one has ASCII_WORD's words. */
const PAST_ASCII = /[\u0080-\uffff]/;
/** SEARCH_WORD on ASCII text (the only letters and digits there), at a third of its cost. */
const ASCII_WORD = /[A-Za-z0-9]+/g;
/** Keys of the conversations written to lately: a send's keyed words are on the writer's path. */
const recentKeys = new Map<string, string>();
const RECENT_KEYS = 10_000;

/**
 * What SQLite's FTS5 table indexes for a message: each word behind its conversation's key
 * (`0a1b2c3dhello 0a1b2c3dworld`), so that a search names exactly its conversations' words.
 * FTS5's tokenizer then folds case and diacritics as before. Null for a text with no words.
 */
export function sqliteKeyedWords(conversationId: string, text: string): string | null {
  let key = recentKeys.get(conversationId);
  if (key === undefined) {
    if (recentKeys.size >= RECENT_KEYS) recentKeys.clear();
    recentKeys.set(conversationId, (key = sqliteSearchKey(conversationId)));
  }
  if (!PAST_ASCII.test(text)) {
    const words = text.match(ASCII_WORD);
    return words === null ? null : key + words.join(` ${key}`);
  }
  let keyed = '';
  for (const [word] of text.matchAll(SEARCH_WORD)) keyed += keyed ? ` ${key}${word}` : `${key}${word}`;
  return keyed || null;
}

/**
 * What PostgreSQL's parser may read otherwise than as ASCII words between spaces (search-sql.ts
 * cuts a text with to_tsvector('simple') once punctuation is a space): a character past ASCII, a
 * control character other than tab and line ends, or a number in scientific notation ('9e9z' is
 * '9e9' and 'z' there).
 */
const NOT_PLAIN = /[^\t\n\r\x20-\x7e]|[0-9][eE][0-9]/;
const PLAIN_WORD = /[a-z0-9]+/g;
/**
 * A long text's keyed words of 500 characters or more are left out of the index (search-sql.ts):
 * words from 492 on, behind their 8-character key.
 */
const LONG_WORD = 492;

/**
 * The words PostgreSQL's search index cuts from a plain text (lower-cased, unkeyed, repeats
 * kept), cut here at a fraction of its cost; null for a text it may cut otherwise (NOT_PLAIN, or
 * a word of LONG_WORD characters), which only the database cuts.
 * test/search-plain-words-postgres.test.ts holds the two to the same words.
 */
export function plainWords(text: string): string[] | null {
  if (NOT_PLAIN.test(text)) return null;
  const words = text.toLowerCase().match(PLAIN_WORD) ?? [];
  for (const word of words) if (word.length >= LONG_WORD) return null;
  return words;
}
