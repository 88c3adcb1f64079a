import { errorCatalog, type ErrorCode, type ErrorKind, type ErrorSpec } from './error-catalog.js';

export interface ErrorDetail {
  /** JSON pointer into the offending frame or body, e.g. "/content/text". */
  readonly path: string;
  readonly message: string;
}

/** The wire shape of every error, over HTTP and WebSocket alike. */
export interface ErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
  readonly details?: readonly ErrorDetail[];
  readonly retryAfterMs?: number;
  /** HTTP answers only: the id of the request in the host's log (also its `X-Request-Id` header). */
  readonly requestId?: string;
}

/**
 * Brands that make `instanceof` work across copies of the SDK: a sandboxed app bundles its own
 * copy, and the errors the host sends it are built by the sandbox runtime's copy.
 */
const SWITCHBOARD_ERROR = Symbol.for('switchboard.SwitchboardError');
export const PERMISSION_DENIED_ERROR = Symbol.for('switchboard.PermissionDeniedError');

/** An error with a stable catalog code; the host turns it into an HTTP status or a close code. */
export class SwitchboardError extends Error {
  /** Any SDK copy's SwitchboardError; subclasses keep the ordinary prototype test unless they brand themselves. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (typeof value !== 'object' || value === null) return false;
    const branded = value as Record<symbol, unknown>;
    if (this === SwitchboardError) return branded[SWITCHBOARD_ERROR] === true;
    return (this as { brand?: symbol }).brand !== undefined && branded[(this as { brand?: symbol }).brand!] === true;
  }

  readonly code: ErrorCode;
  readonly details?: readonly ErrorDetail[];
  readonly retryAfterMs?: number;

  constructor(
    code: ErrorCode,
    message?: string,
    extra: { details?: readonly ErrorDetail[]; retryAfterMs?: number; cause?: unknown } = {},
  ) {
    super(message ?? errorCatalog[code].message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'SwitchboardError';
    Object.defineProperty(this, SWITCHBOARD_ERROR, { value: true });
    this.code = code;
    if (extra.details) this.details = extra.details;
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
  }

  get kind(): ErrorKind {
    return errorCatalog[this.code].kind;
  }

  get status(): number {
    return errorCatalog[this.code].status;
  }

  get closeCode(): number | undefined {
    const spec: ErrorSpec = errorCatalog[this.code];
    return spec.closeCode;
  }

  toBody(): ErrorBody {
    return {
      code: this.code,
      message: this.message,
      ...(this.details ? { details: this.details } : {}),
      ...(this.retryAfterMs !== undefined ? { retryAfterMs: this.retryAfterMs } : {}),
    };
  }
}
