import { useCallback, useState } from 'preact/hooks';

export interface Action {
  busy: boolean;
  error: unknown;
  /** Runs the work unless one is running; a failure is kept in `error` for the form to show in words. */
  run(work: () => Promise<void>): Promise<void>;
  clear: () => void;
}

/** The state of one button's or form's asynchronous work: busy while it runs, its failure after. */
export function useAction(): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = useCallback(
    async (work: () => Promise<void>) => {
      if (busy) return;
      setBusy(true);
      setError(null);
      try {
        await work();
      } catch (err) {
        setError(err);
      } finally {
        setBusy(false);
      }
    },
    [busy],
  );
  return { busy, error, run, clear: () => setError(null) };
}
