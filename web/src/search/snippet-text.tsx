import type { SearchSnippet } from '../../../sdk/protocol/search.js';

/** A snippet as text nodes, its matched words in <mark>: never parsed as HTML, so a message cannot inject markup. */
export function SnippetText({ snippet }: { snippet: SearchSnippet }) {
  const parts = [];
  let at = 0;
  for (const [i, h] of [...snippet.highlights].sort((a, b) => a.offset - b.offset).entries()) {
    if (h.offset < at) continue;
    if (h.offset > at) parts.push(snippet.text.slice(at, h.offset));
    parts.push(<mark key={i}>{snippet.text.slice(h.offset, h.offset + h.length)}</mark>);
    at = h.offset + h.length;
  }
  if (at < snippet.text.length) parts.push(snippet.text.slice(at));
  return <span class="search-snippet">{parts}</span>;
}
