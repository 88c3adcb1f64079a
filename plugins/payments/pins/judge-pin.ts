import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';

export interface PinRow {
  user_id: string;
  hash: string;
  failures: number;
  locked_until: number | null;
  updated_at: number;
  [c: string]: unknown;
}

export const PIN = /^\d{4,8}$/;

/** Equal-time comparison of two hex digests. */
function sameDigest(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** What an attempt does to a PIN row: allowed or refused, and the row's new failure state. */
export interface PinVerdict {
  error: PaymentError | null;
  failures: number;
  lockedUntil: number | null;
}

/**
 * One PIN attempt against its row (pure, so transfers can check many PINs inside one batch).
 * Wrong PINs count (a missing or malformed one does not); at settings.pin.maxAttempts the user's payments lock for lockMinutes
 * (pin_locked, with retryAfterMs) and the count starts over. A right PIN clears the count.
 */
export function judgePin(
  row: PinRow | undefined,
  attemptHash: string | null,
  now: number,
  settings: PaymentsSettings['pin'],
): PinVerdict {
  if (!row) return { error: new PaymentError('pin_required'), failures: 0, lockedUntil: null };
  if (row.locked_until !== null && row.locked_until > now) {
    return {
      error: new PaymentError('pin_locked', undefined, { retryAfterMs: row.locked_until - now }),
      failures: row.failures,
      lockedUntil: row.locked_until,
    };
  }
  // No PIN at all (the field missing, or not 4–8 digits) is a malformed request, not a guess: it is refused and not counted.
  if (attemptHash === null)
    return {
      error: new PaymentError(
        'invalid_payment_request',
        'A PIN of 4 to 8 digits is required (`pin`, or `currentPin` to change one); the field is missing or malformed.',
      ),
      failures: row.failures,
      lockedUntil: row.locked_until,
    };
  if (sameDigest(attemptHash, row.hash)) return { error: null, failures: 0, lockedUntil: null };
  const failures = row.failures + 1;
  if (failures >= settings.maxAttempts) {
    const lockedUntil = now + settings.lockMinutes * 60_000;
    return {
      error: new PaymentError(
        'pin_locked',
        `Wrong PIN ${settings.maxAttempts} times; payments are locked for ${settings.lockMinutes} minutes.`,
        { retryAfterMs: lockedUntil - now },
      ),
      failures: 0,
      lockedUntil,
    };
  }
  return {
    error: new PaymentError('pin_invalid', undefined, { attemptsLeft: settings.maxAttempts - failures }),
    failures,
    lockedUntil: null,
  };
}

/**
 * Whether a verdict judged on an unlocked read stands as it is: it changes nothing on the row
 * (a right PIN with nothing to reset, a malformed attempt, a lock still running, no PIN set).
 * Any other attempt must be judged again under the row's lock and recorded, so concurrent
 * wrong attempts are each counted.
 */
export function standsWithoutLock(row: PinRow | undefined, quick: PinVerdict, now: number): boolean {
  return (
    !row ||
    (quick.error === null && row.failures === 0) ||
    quick.error?.code === 'invalid_payment_request' ||
    (quick.error?.code === 'pin_locked' && row.locked_until !== null && row.locked_until > now)
  );
}
