import type { AppFailureReason, WireError } from '../rpc-protocol.js';
import { sandboxFailure } from '../wire-error.js';

/**
 * A failed event: why, in words an operator (and the app) can read; and when the app refused it
 * with its own error (wire-error.ts readRefusal), that refusal, for the caller.
 */
export class EventFailure extends Error {
  constructor(
    readonly reason: AppFailureReason,
    message: string,
    readonly refusal?: WireError,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }

  /** Whether it counts as the app's failure: a caller past its share, or an event that came while the app restarted, does not. */
  get counted(): boolean {
    return this.reason !== 'caller_share' && this.reason !== 'restarting';
  }

  toWire(): WireError {
    return {
      ...sandboxFailure(this.reason, this.message),
      ...(this.refusal ? { refusal: this.refusal } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}
