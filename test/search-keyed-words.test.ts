/**
 * SQLite's index takes each message's words from the host (`sqliteKeyedWords`): ASCII texts take
 * a faster path than the Unicode word pattern, and must give exactly its words, or a search would
 * miss what the rest of the host (snippets, PostgreSQL) calls a word.
 */
import { describe, expect, it } from 'vitest';
import { SEARCH_WORD, sqliteKeyedWords, sqliteSearchKey } from '../host/db/search-words.js';

const bySearchWord = (conversationId: string, text: string) => {
  const key = sqliteSearchKey(conversationId);
  const words = [...text.matchAll(SEARCH_WORD)].map(([w]) => `${key}${w}`);
  return words.length > 0 ? words.join(' ') : null;
};

describe("search: SQLite's keyed words", () => {
  it('gives every text the words of the search word pattern, behind its conversation key', () => {
    const texts = [
      'the quick brown fox',
      'Hello,WORLD-WIDE_web 50% v2.0.1 e-mail@x.org',
      '  leading and trailing  ',
      "it's O'Brien's 3.14 0x1F",
      '!!! ... ---',
      '',
      'tab\tnew\nline',
      'Crème brûlée naïve',
      '中文字符 测试 mixed ascii',
      'emoji 🎉party',
      'e\u0301cole combining',
    ];
    for (const [i, text] of texts.entries()) {
      const conversation = `conversation-${i}`;
      expect(sqliteKeyedWords(conversation, text), JSON.stringify(text)).toBe(bySearchWord(conversation, text));
    }
    expect(sqliteKeyedWords('c', 'no punctuation')).toBe(
      `${sqliteSearchKey('c')}no ${sqliteSearchKey('c')}punctuation`,
    );
  });
});
