import { errorCatalog, isErrorCode } from '../errors/error-catalog.js';
import type { ErrorDetail } from '../errors/switchboard-error.js';
import type { ErrorFrame } from '../protocol/frames.js';

// `| undefined` on every optional field: apps compile this source with their own settings,
// exactOptionalPropertyTypes included.
export interface ClientErrorExtra {
  status?: number | undefined;
  details?: unknown;
  retryAfterMs?: number | undefined;
  requestId?: string | undefined;
  closeCode?: number | undefined;
  cause?: unknown;
}

/**
 * Every failure the client library reports. `code` is a code of the host's catalog (docs/errors.md),
 * a plugin's own code, or one of the library's: `network_error` (fetch or the socket failed),
 * `offline` (no connection for a socket request), `timeout` (no answer in time), `discarded` (a
 * pending send was discarded), `user_changed` (the store now belongs to another user).
 */
export class ClientError extends Error {
  readonly code: string;
  /** The HTTP status, when the error answers an HTTP request. */
  readonly status?: number;
  /** `invalid_request` and its kin: what in the request was wrong. */
  readonly details?: readonly ErrorDetail[];
  /** A plugin's refusal may carry details of its own shape (docs/plugins.md). */
  readonly pluginDetails?: Record<string, unknown>;
  readonly retryAfterMs?: number;
  /** The host's id of the HTTP request: quote it when reporting a problem. */
  readonly requestId?: string;
  /** The WebSocket close code, when the error ended a connection. */
  readonly closeCode?: number;

  constructor(code: string, message?: string, extra: ClientErrorExtra = {}) {
    super(message ?? catalogMessage(code) ?? code, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'ClientError';
    this.code = code;
    if (extra.status !== undefined) this.status = extra.status;
    if (Array.isArray(extra.details)) this.details = extra.details as ErrorDetail[];
    else if (isRecord(extra.details)) this.pluginDetails = extra.details;
    if (extra.retryAfterMs !== undefined) this.retryAfterMs = extra.retryAfterMs;
    if (extra.requestId !== undefined) this.requestId = extra.requestId;
    if (extra.closeCode !== undefined) this.closeCode = extra.closeCode;
  }

  /** The error of an HTTP answer or an `error` frame. */
  static fromBody(
    body: ErrorFrame['error'],
    extra: { status?: number | undefined; requestId?: string | undefined } = {},
  ): ClientError {
    return new ClientError(body.code, body.message, {
      status: extra.status,
      details: body.details,
      retryAfterMs: 'retryAfterMs' in body ? body.retryAfterMs : undefined,
      requestId: body.requestId ?? extra.requestId,
    });
  }

  /**
   * Why a socket closed. Codes may share a close code (4003: session_ended, account_deactivated):
   * the host names its catalog code in the reason, which wins when it fits the close code.
   */
  static fromClose(closeCode: number, reason: string): ClientError {
    const named = isErrorCode(reason) && closeCodeOf(reason) === closeCode ? reason : undefined;
    const code = named ?? codeOfClose(closeCode) ?? 'network_error';
    const message = (named ? undefined : reason) || catalogMessage(code) || `The connection closed (${closeCode}).`;
    return new ClientError(code, message, {
      closeCode,
    });
  }

  static offline(): ClientError {
    return new ClientError('offline', 'Not connected to the host.');
  }

  static timeout(what: string): ClientError {
    return new ClientError('timeout', `No answer to ${what} in time.`);
  }

  static network(cause: unknown): ClientError {
    return new ClientError('network_error', 'The host could not be reached.', { cause });
  }
}

/** Turns anything thrown into a ClientError (programming errors included, so callers see one type). */
export function toClientError(error: unknown): ClientError {
  if (error instanceof ClientError) return error;
  return new ClientError('internal_error', error instanceof Error ? error.message : String(error), { cause: error });
}

function catalogMessage(code: string): string | undefined {
  return (errorCatalog as Record<string, { message: string } | undefined>)[code]?.message;
}

function closeCodeOf(code: keyof typeof errorCatalog): number | undefined {
  return (errorCatalog[code] as { closeCode?: number }).closeCode;
}

function codeOfClose(closeCode: number): string | undefined {
  return (Object.keys(errorCatalog) as (keyof typeof errorCatalog)[]).find((code) => closeCodeOf(code) === closeCode);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
