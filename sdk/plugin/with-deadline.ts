/** How a call ended: its value, its error, or no answer within the deadline. */
export type Settled<T> = { value: T } | { error: unknown } | { timedOut: true };

/**
 * Races a call (another plugin's service, say) against a deadline. The call's own later
 * failure is swallowed: by then the caller has decided.
 */
export function withDeadline<T>(run: () => Promise<T>, ms: number): Promise<Settled<T>> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const settled = Promise.resolve()
    .then(run)
    .then(
      (value): Settled<T> => ({ value }),
      (error: unknown): Settled<T> => ({ error }),
    );
  const late = new Promise<Settled<T>>((resolve) => {
    timer = setTimeout(() => resolve({ timedOut: true }), ms);
  });
  return Promise.race([settled, late]).finally(() => clearTimeout(timer));
}
