import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { SEARCH_WORD } from '../db/search-words.js';

/** The shortest last word that also finds longer words. */
export const MIN_PREFIX = 3;

export interface SearchTerms {
  /** Every word must occur in a message, in any order. */
  readonly words: readonly string[];
  /**
   * The last word also matches longer words (search as you type); false once the query ends in a
   * space or punctuation, or when the word is shorter than MIN_PREFIX.
   */
  readonly lastIsPrefix: boolean;
}

/** Whether each word, in order, also matches longer words: only the last, when lastIsPrefix. */
export function prefixFlags(terms: SearchTerms): boolean[] {
  return terms.words.map((_, i) => terms.lastIsPrefix && i === terms.words.length - 1);
}

/** The words of a query; `invalid_request` when there are none or too many. */
export function searchTerms(query: string, maxWords: number): SearchTerms {
  const words = [...query.matchAll(SEARCH_WORD)].map((m) => m[0]);
  if (words.length === 0) {
    throw new SwitchboardError('invalid_request', 'The query has no words to search for.', {
      details: [{ path: '/query/q', message: 'must contain a letter or a digit' }],
    });
  }
  if (words.length > maxWords) {
    throw new SwitchboardError('invalid_request', `A query may have at most ${maxWords} words.`, {
      details: [{ path: '/query/q', message: `must have at most ${maxWords} words` }],
    });
  }
  const last = words.at(-1)!;
  // One or two letters would start too many words to be worth their lists.
  return { words, lastIsPrefix: query.endsWith(last) && [...last].length >= MIN_PREFIX };
}

/**
 * An FTS5 query over migration 0019's index: each word behind each of the keys searched, or'ed,
 * the words and'ed; each term a quoted string, so no word is ever an operator.
 */
export function fts5Query(terms: SearchTerms, keys: readonly string[]): string {
  const prefix = prefixFlags(terms);
  return terms.words
    .map((w, i) => {
      const star = prefix[i] ? '*' : '';
      return `(${keys.map((key) => `"${key}${w.replaceAll('"', '""')}"${star}`).join(' OR ')})`;
    })
    .join(' AND ');
}

/** A word as both indexes compare it: Latin letters without their diacritics, in lower case. */
export function foldWord(word: string): string {
  return word
    .normalize('NFD')
    .replace(/([A-Za-z])[\u0300-\u036f]+/g, '$1')
    .normalize('NFC')
    .toLowerCase();
}

/** The words of a text with where they are (UTF-16 offsets), for highlighting. */
export function wordsOf(text: string): { word: string; offset: number }[] {
  return [...text.matchAll(SEARCH_WORD)].map((m) => ({ word: m[0], offset: m.index }));
}
