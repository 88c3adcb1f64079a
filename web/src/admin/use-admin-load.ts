import { useCallback, useEffect, useState } from 'preact/hooks';

export type Loaded<T> =
  | { status: 'loading'; data: T | null }
  | { status: 'ready'; data: T }
  | { status: 'failed'; error: unknown; data: T | null };

/**
 * Data a panel shows, loaded when it opens and again on reload() (after an action, or the
 * operator's Refresh); what was shown stays while a new load runs or after it fails.
 */
export function useAdminLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [state, setState] = useState<Loaded<T>>({ status: 'loading', data: null });
  const [generation, setGeneration] = useState(0);
  const reload = useCallback(() => setGeneration((n) => n + 1), []);
  useEffect(() => {
    let live = true;
    setState((previous) => ({ status: 'loading', data: previous.data }));
    load().then(
      (data) => live && setState({ status: 'ready', data }),
      (error: unknown) => live && setState((previous) => ({ status: 'failed', error, data: previous.data })),
    );
    return () => {
      live = false;
    };
    // `load` is a new closure each render: `deps` says when it asks for something else.
  }, [generation, ...deps]);
  return { state, reload };
}
