import type { SearchSnippet } from '../../sdk/protocol/search.js';
import { foldWord, wordsOf, type SearchTerms } from './search-terms.js';

const ELLIPSIS = '…';

/**
 * The part of `text` around the first matched word, at most `maxLength` UTF-16 units plus an
 * ellipsis at each cut end, cut between words (so never inside a surrogate pair), with every
 * matched word in it. The same words the index matched: folded the same way, and the last one as
 * a prefix when the query asked for it.
 */
export function searchSnippet(text: string, terms: SearchTerms, maxLength: number): SearchSnippet {
  const words = wordsOf(text);
  const wanted = terms.words.map(foldWord);
  const prefix = terms.lastIsPrefix ? wanted.at(-1)! : null;
  const hits = words
    .filter(({ word }) => {
      const folded = foldWord(word);
      return wanted.includes(folded) || (prefix !== null && folded.startsWith(prefix));
    })
    .map(({ word, offset }) => ({ offset, length: word.length }));
  if (text.length <= maxLength) return { text, highlights: hits };

  const anchor = hits[0]?.offset ?? 0;
  // Some words before the first hit, for context; the window starts at a word.
  const lead = anchor - Math.floor(maxLength / 4);
  const start = lead <= 0 ? 0 : (words.find((w) => w.offset >= lead)?.offset ?? anchor);
  let end = Math.min(text.length, start + maxLength);
  if (end < text.length) {
    const lastWhole = words.filter((w) => w.offset >= start && w.offset + w.word.length <= end).at(-1);
    end = lastWhole ? lastWhole.offset + lastWhole.word.length : cutBefore(text, end);
  }
  const head = start > 0 ? ELLIPSIS : '';
  return {
    text: head + text.slice(start, end) + (end < text.length ? ELLIPSIS : ''),
    highlights: hits
      .filter((h) => h.offset >= start && h.offset + h.length <= end)
      .map((h) => ({ offset: h.offset - start + head.length, length: h.length })),
  };
}

/** `end`, or one less when it would split a surrogate pair. */
function cutBefore(text: string, end: number): number {
  const code = text.charCodeAt(end);
  return code >= 0xdc00 && code <= 0xdfff ? end - 1 : end;
}
