import type { AppFailureReason, WireError } from '../rpc-protocol.js';

/** A failed event: why, in words an operator (and the app) can read. */
export class EventFailure extends Error {
  constructor(readonly reason: AppFailureReason, message: string) {
    super(message);
  }

  toWire(): WireError {
    return { name: 'SandboxError', code: 'plugin_failed', message: this.message, reason: this.reason };
  }
}
