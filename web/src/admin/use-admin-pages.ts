import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Page<T> {
  items: T[];
  hasMore: boolean;
}

/**
 * A list the admin API answers a page at a time (keyset pages: each goes on after the last item of
 * the one before). The first page loads when `deps` change; more() adds the next one; replace()
 * shows a changed item where it is.
 */
export function useAdminPages<T>(fetchPage: (last: T | null) => Promise<Page<T>>, deps: readonly unknown[]) {
  const [list, setList] = useState<Page<T> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(true);
  // The fetch of the latest render: more() must ask with the current filter, not the first one.
  const latest = useRef(fetchPage);
  latest.current = fetchPage;

  useEffect(() => {
    let live = true;
    setBusy(true);
    setError(null);
    latest.current(null).then(
      (page) => {
        if (!live) return;
        setList(page);
        setBusy(false);
      },
      (err: unknown) => {
        if (!live) return;
        setError(err);
        setBusy(false);
      },
    );
    return () => {
      live = false;
    };
    // `fetchPage` is a new closure each render: `deps` says when it asks for something else.
  }, deps);

  const more = useCallback(async () => {
    const last = list?.items.at(-1);
    if (!list || last === undefined || busy) return;
    setBusy(true);
    setError(null);
    try {
      const next = await latest.current(last);
      setList({ items: [...list.items, ...next.items], hasMore: next.hasMore });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }, [list, busy]);

  const replace = useCallback(
    (item: T, same: (a: T, b: T) => boolean) =>
      setList((current) => current && { ...current, items: current.items.map((i) => (same(i, item) ? item : i)) }),
    [],
  );
  return { list, error, busy, more, replace };
}
