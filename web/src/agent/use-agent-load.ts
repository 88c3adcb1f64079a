import { useCallback, useEffect, useRef, useState } from 'preact/hooks';

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  /** Asks again (after a change, or when an event says the data moved); the last answer wins. */
  reload: () => void;
}

/**
 * Loads `load()` now and whenever `key` changes or reload() is called; `everyMs` also asks again on
 * a timer, for what the host announces no event for (a customer's new message).
 */
export function useAgentLoad<T>(load: () => Promise<T>, key: string, everyMs = 0): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  const loader = useRef(load);
  loader.current = load;
  const reload = useCallback(() => setTick((n) => n + 1), []);
  useEffect(() => {
    const ask = () => {
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
    };
    ask();
    if (everyMs <= 0) return;
    const timer = setInterval(ask, everyMs);
    return () => clearInterval(timer);
  }, [key, tick, everyMs]);
  useEffect(() => () => void (latest.current = -1), []);
  return { data, error, reload };
}
