import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  /** The last answer (kept while a new load runs, and after it fails); undefined until the first. */
  data: T | undefined;
  /** The last load's failure, until a load succeeds. */
  error: unknown;
  /** Asks again (after a change, or when an event says the data moved); the last answer wins. */
  reload: () => void;
}

/**
 * Loads `load()` now, whenever one of `deps` changes (they say when it asks for something else:
 * `load` is a new closure each render) and on reload().
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    const asked = ++latest.current;
    loader.current().then(
      (value) => {
        if (asked !== latest.current) return;
        setData(value);
        setError(null);
      },
      (failure: unknown) => {
        if (asked === latest.current) setError(failure);
      },
    );
  }, [tick, ...deps]);
  useEffect(() => () => void (latest.current = -1), []);
  return { data, error, reload };
}
