/**
 * kind:
 *  - "user": the caller sent something wrong; retrying the same request fails again.
 *  - "system": the host could not do it right now; the same request may succeed later.
 *  - "operator": the host refused to start because of how it was configured.
 */
export type ErrorKind = 'user' | 'system' | 'operator';

export interface ErrorSpec {
  readonly kind: ErrorKind;
  /** HTTP status used when the error answers an HTTP request. */
  readonly status: number;
  /** WebSocket close code, for errors that end the connection. */
  readonly closeCode?: number;
  /** Default human-readable message. */
  readonly message: string;
}
