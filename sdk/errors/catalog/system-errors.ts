import type { ErrorSpec } from '../error-spec.js';

/** The host could not do it right now; the same request may succeed later. */
export const systemErrors = {
  internal_error: { kind: 'system', status: 500, closeCode: 1011, message: 'The host hit an unexpected error.' },
  unavailable: { kind: 'system', status: 503, message: 'The host cannot serve this right now; retry later.' },
  shutting_down: {
    kind: 'system',
    status: 503,
    closeCode: 1001,
    message: 'The host is shutting down; reconnect and resume.',
  },
  not_ready: { kind: 'system', status: 503, message: 'The host has not finished starting.' },
  web_client_not_built: {
    kind: 'system',
    status: 503,
    message: 'The web client has not been built on this host; run npm run build:web (npm start does it).',
  },
  plugin_failed: {
    kind: 'system',
    status: 502,
    message: 'A plugin failed while handling this; the error is recorded against it.',
  },
  app_disabled: {
    kind: 'system',
    status: 503,
    message: 'The app failed too often and its circuit breaker disabled it; an operator must enable it again.',
  },
  plugin_timeout: { kind: 'system', status: 504, message: 'A plugin did not answer within its time budget.' },
  outbound_http_failed: {
    kind: 'system',
    status: 502,
    message:
      "A plugin's outbound HTTP request failed: no connection, no complete answer within its timeout, or a response body over 1 MiB.",
  },
} as const satisfies Record<string, ErrorSpec>;
