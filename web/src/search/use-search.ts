import { useCallback, useRef, useState } from 'preact/hooks';
import type { SearchHit, SearchOptions } from '../../../sdk/protocol/search.js';
import { useSignedIn } from '../session/session-context';

export interface SearchState {
  /** The query the results are for; null before the first search. */
  query: string | null;
  hits: SearchHit[];
  nextCursor: string | null;
  busy: boolean;
  error: unknown;
  search: (query: string, options: SearchOptions) => void;
  more: () => void;
  /** Back to no search: what is under way is dropped, the results emptied. */
  reset: () => void;
}

/** Asks GET /v1/search; a new search replaces the results, `more` appends the next page. The last search asked wins. */
export function useSearch(): SearchState {
  const { client } = useSignedIn();
  const [query, setQuery] = useState<string | null>(null);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const asked = useRef({ n: 0, query: '', options: {} });

  const run = useCallback(
    (q: string, options: SearchOptions, append: boolean) => {
      const n = ++asked.current.n;
      asked.current = { n, query: q, options };
      setBusy(true);
      setError(null);
      client.http.search(q, options).then(
        (page) => {
          if (n !== asked.current.n) return;
          setQuery(q);
          setHits((list) => (append ? [...list, ...page.results] : [...page.results]));
          setNextCursor(page.nextCursor);
          setBusy(false);
        },
        (failure: unknown) => {
          if (n !== asked.current.n) return;
          setError(failure);
          setBusy(false);
        },
      );
    },
    [client],
  );
  const search = useCallback((q: string, options: SearchOptions) => run(q, options, false), [run]);
  const more = useCallback(() => {
    const { query: q, options } = asked.current;
    if (nextCursor) run(q, { ...options, cursor: nextCursor }, true);
  }, [run, nextCursor]);
  const reset = useCallback(() => {
    asked.current = { n: asked.current.n + 1, query: '', options: {} };
    setQuery(null);
    setHits([]);
    setNextCursor(null);
    setBusy(false);
    setError(null);
  }, []);
  return { query, hits, nextCursor, busy, error, search, more, reset };
}
