import type { AppFailureReason, WireError } from '../rpc-protocol.js';
import { sandboxFailure } from '../wire-error.js';

/** A failed event: why, in words an operator (and the app) can read. */
export class EventFailure extends Error {
  constructor(readonly reason: AppFailureReason, message: string) {
    super(message);
  }

  toWire(): WireError {
    return sandboxFailure(this.reason, this.message);
  }
}
