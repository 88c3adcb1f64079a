/**
 * The one way the suites wait for something that happens asynchronously: `eventually()` retries a
 * check until it passes or a deadline passes. A deadline bounds the wait; it is not a guess at how
 * long things take, so no test sleeps a fixed time before asserting that something happened.
 */

export interface EventuallyOptions {
  /** How long to keep trying (10 s unless given). */
  timeoutMs?: number;
  /** What is awaited, for the error: "the away reply", "app shop to be running". */
  what?: string;
  /** The pause between tries (25 ms unless given). */
  intervalMs?: number;
}

/** What a passing check returned: its value, without the falsy ones that mean "not yet". */
export type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/**
 * Calls `check` until it returns a truthy value, which it returns. A check that throws (a failed
 * `expect`, say) or returns a falsy value is tried again; after `timeoutMs` the last failure is
 * thrown, with `what` and the last value or error. An assertion-style check ends with `return true`.
 */
export async function eventually<T>(check: () => T | Promise<T>, options: EventuallyOptions = {}): Promise<Truthy<T>> {
  const { timeoutMs = 10_000, what = 'the condition', intervalMs = 25 } = options;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let last: { error: unknown } | { value: unknown };
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
      last = { value };
    } catch (error) {
      last = { error };
    }
    if (Date.now() > deadline) {
      const why =
        'error' in last
          ? `the last try failed: ${(last.error as Error)?.message ?? String(last.error)}`
          : `the last try gave ${describe(last.value)}`;
      throw new Error(
        `${what} did not hold within ${timeoutMs} ms; ${why}`,
        'error' in last ? { cause: last.error } : undefined,
      );
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function describe(value: unknown): string {
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    // Circular or otherwise not JSON: its string form says enough.
    return String(value);
  }
}
