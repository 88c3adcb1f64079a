import { useRef } from 'preact/hooks';
import { randomUuid } from '../../../sdk/client/random-uuid.js';

export interface AttemptKey {
  /** The key of the current attempt: a fresh one, or the one whose outcome is still unknown. */
  current: () => string;
  /** The host answered (success or a refusal): the next attempt is a new one, with a new key. */
  done: () => void;
  /** After a failure: a refusal ends the attempt; no answer, or the host unavailable, keeps its key for the resend. */
  failed: (error: unknown) => void;
}

/**
 * The idempotency key of a money movement (docs/payments.md "Idempotency"): one per attempt, and
 * the same again when an attempt whose answer never came is sent again, so it cannot pay twice.
 */
export function useAttemptKey(): AttemptKey {
  const key = useRef<string | null>(null);
  return {
    current: () => (key.current ??= randomUuid()),
    done: () => {
      key.current = null;
    },
    failed: (error) => {
      const status = (error as { status?: number }).status;
      if (status !== undefined && status < 500) key.current = null;
    },
  };
}
