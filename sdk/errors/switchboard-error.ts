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
}

/** An error with a stable catalog code; the host turns it into an HTTP status or a close code. */
export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly details?: readonly ErrorDetail[];
  readonly retryAfterMs?: number;

  constructor(code: ErrorCode, message?: string, extra: { details?: readonly ErrorDetail[]; retryAfterMs?: number; cause?: unknown } = {}) {
    super(message ?? errorCatalog[code].message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'SwitchboardError';
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
