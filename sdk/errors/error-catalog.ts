/**
 * The one catalog of Switchboard error codes. Codes are stable: clients,
 * plugins and operators may match on them. Every code here is documented in
 * docs/errors.md (a test keeps the two in step).
 *
 * kind:
 *  - "user": the caller sent something wrong; retrying the same request fails again.
 *  - "system": the host could not do it right now; the same request may succeed later.
 *  - "operator": the host refused to start because of how it was configured.
 */
import { contentErrors } from './content-errors.js';

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

/** The catalog, from its parts; a call bundlers may drop when nothing reads it (an app's bundle). */
const catalogOf = <A extends object, B extends object>(a: A, b: B): A & B => ({ ...a, ...b });

export const errorCatalog = /* @__PURE__ */ catalogOf(
  {
    // ---- user errors -------------------------------------------------------
    invalid_json: { kind: 'user', status: 400, message: 'The frame or body is not valid JSON.' },
    unsupported_media_type: {
      kind: 'user',
      status: 415,
      message: 'The body must be JSON, sent with Content-Type: application/json.',
    },
    invalid_request: { kind: 'user', status: 400, message: 'The request does not match its schema.' },
    unknown_frame_type: { kind: 'user', status: 400, message: 'The frame type is not part of the protocol.' },
    binary_frame_unsupported: {
      kind: 'user',
      status: 400,
      message: 'Binary frames are not supported; send JSON text frames.',
    },
    invalid_utf8: { kind: 'user', status: 400, closeCode: 1007, message: 'A text frame was not valid UTF-8.' },
    payload_too_large: {
      kind: 'user',
      status: 413,
      closeCode: 1009,
      message: 'The frame or body exceeds the size limit.',
    },
    unauthenticated: { kind: 'user', status: 401, closeCode: 4001, message: 'A valid bearer token is required.' },
    auth_timeout: { kind: 'user', status: 401, closeCode: 4002, message: 'The socket did not authenticate in time.' },
    session_ended: {
      kind: 'user',
      status: 401,
      closeCode: 4003,
      message: 'The token of this session was revoked or expired.',
    },
    invalid_credentials: { kind: 'user', status: 401, message: 'The handle or password is wrong.' },
    account_deactivated: {
      kind: 'user',
      status: 403,
      closeCode: 4003,
      message: 'An operator deactivated this account: it cannot log in or use tokens until reactivated.',
    },
    admin_required: { kind: 'user', status: 403, message: 'This endpoint needs the operator admin token.' },
    forbidden: { kind: 'user', status: 403, message: 'You may not do this.' },
    insufficient_role: { kind: 'user', status: 403, message: 'Your role in this conversation does not allow this.' },
    route_not_found: { kind: 'user', status: 404, message: 'No such endpoint.' },
    method_not_allowed: {
      kind: 'user',
      status: 405,
      message: 'This endpoint does not answer that method; the Allow header lists those it does.',
    },
    user_not_found: { kind: 'user', status: 404, message: 'No such user.' },
    token_not_found: { kind: 'user', status: 404, message: 'No such token.' },
    conversation_not_found: {
      kind: 'user',
      status: 404,
      message: 'No such conversation, or you are not a member of it.',
    },
    message_not_found: { kind: 'user', status: 404, message: 'No such message in this conversation.' },
    handle_taken: { kind: 'user', status: 409, message: 'That handle is already in use.' },
    client_msg_id_conflict: {
      kind: 'user',
      status: 409,
      message: 'This clientMsgId was already used for a different message.',
    },
    message_deleted: { kind: 'user', status: 409, message: 'The message was deleted and can no longer change.' },
    member_limit_reached: { kind: 'user', status: 409, message: 'The group has reached its member limit.' },
    pin_limit_reached: { kind: 'user', status: 409, message: 'The conversation has reached its pin limit.' },
    report_not_found: { kind: 'user', status: 404, message: 'No such report.' },
    report_already_resolved: {
      kind: 'user',
      status: 409,
      message: 'The report was resolved already, with another action.',
    },
    blocked: {
      kind: 'user',
      status: 403,
      message: 'You cannot send messages in this conversation right now.',
    },
    invalid_operation: { kind: 'user', status: 400, message: 'This operation does not apply here.' },
    unknown_message_type: { kind: 'user', status: 400, message: 'The message content type is not registered.' },
    invalid_message_body: {
      kind: 'user',
      status: 400,
      message: 'The structured message body does not match the schema of its type.',
    },
    registration_closed: { kind: 'user', status: 403, message: 'Self-registration is disabled on this host.' },
    rate_limited: { kind: 'user', status: 429, closeCode: 4008, message: 'Too many requests; slow down.' },
    slow_consumer: {
      kind: 'user',
      status: 400,
      closeCode: 4009,
      message: 'The client stopped reading and its send buffer passed the limit.',
    },
    heartbeat_timeout: {
      kind: 'user',
      status: 400,
      closeCode: 4010,
      message: 'Nothing arrived from the client (no pong, no frame) between two pings.',
    },
    permission_denied: { kind: 'user', status: 403, message: 'The plugin lacks the permission this call needs.' },
    storage_conflict: {
      kind: 'user',
      status: 409,
      message: 'The stored value changed since the version given (compare-and-set failed).',
    },
    storage_quota_exceeded: {
      kind: 'user',
      status: 507,
      message: 'The write would take the plugin past its storage quota.',
    },
    message_rejected: { kind: 'user', status: 403, message: 'A plugin hook refused this message.' },
    command_not_found: {
      kind: 'user',
      status: 404,
      message: 'No enabled plugin in this conversation answers that command.',
    },
    plugin_not_found: { kind: 'user', status: 404, message: 'No such plugin.' },
    database_invalid_query: {
      kind: 'user',
      status: 400,
      message: 'The query names a table or column the plugin does not have, or a value that does not fit its column.',
    },
    database_schema_invalid: {
      kind: 'user',
      status: 400,
      message:
        "The plugin's schema change is not allowed (a bad name, a table that exists or is missing, a column that cannot be added).",
    },
    database_conflict: { kind: 'user', status: 409, message: 'The write breaks a unique constraint of the table.' },
    database_constraint: {
      kind: 'user',
      status: 400,
      message: 'The write breaks a constraint of the table (a required column is null).',
    },
    database_transaction_scope: {
      kind: 'user',
      status: 400,
      message: 'Inside a database transaction only its own handle may be used, and only until it ends.',
    },
    sandbox_limit: {
      kind: 'user',
      status: 429,
      message:
        "The app passed one of its sandbox limits (host calls in flight, sends per minute, secrets per minute, arguments carried per minute, host calls and CPU outside its events), or a caller passed its share of an app's CPU.",
    },
    metric_invalid: {
      kind: 'user',
      status: 400,
      message:
        "A plugin metric's name, help, labels, buckets or value breaks the rules, or the name is taken (by another definition or plugin).",
    },
    database_transaction_timeout: {
      kind: 'user',
      status: 408,
      message: 'The database transaction ran past its time budget and was rolled back.',
    },

    // ---- system errors -----------------------------------------------------
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
    link_preview_unavailable: {
      kind: 'system',
      status: 502,
      message:
        'The linked page gave no preview: unreachable, not an HTML page, on a non-public address, or with no title.',
    },

    // ---- operator errors (start-up) ---------------------------------------
    config_invalid: { kind: 'operator', status: 500, message: 'The host configuration is invalid.' },
    database_locked: { kind: 'operator', status: 500, message: 'Another host is using this SQLite database file.' },
    database_unreachable: { kind: 'operator', status: 500, message: 'The database cannot be reached.' },
    bus_requires_postgres: {
      kind: 'operator',
      status: 500,
      message: 'Several hosts (bus.url is set) need one shared PostgreSQL database; SQLite serves a single host.',
    },
    listen_failed: {
      kind: 'operator',
      status: 500,
      message: 'The host cannot listen on its configured address and port (in use, or not allowed).',
    },
    manifest_invalid: {
      kind: 'operator',
      status: 500,
      message: 'A plugin manifest does not match the manifest schema.',
    },
    plugin_engine_mismatch: {
      kind: 'operator',
      status: 500,
      message: "The plugin's engine range does not include this host's plugin API version.",
    },
    plugin_dependency_missing: {
      kind: 'operator',
      status: 500,
      message: 'A plugin depends on a plugin that is not enabled, or on another version of it.',
    },
    plugin_dependency_cycle: { kind: 'operator', status: 500, message: 'Plugins depend on each other in a cycle.' },
    plugin_settings_invalid: {
      kind: 'operator',
      status: 500,
      message: "The operator's settings for a plugin do not match its settings schema.",
    },
    plugin_start_failed: {
      kind: 'operator',
      status: 500,
      message: 'A plugin could not be loaded or threw while starting.',
    },
    runtime_unsupported: {
      kind: 'operator',
      status: 500,
      message:
        "This Node's release line is past its end of life (or never LTS), so sandboxed apps are refused: untrusted code needs a V8 that still gets security fixes.",
    },
    native_module_mismatch: {
      kind: 'operator',
      status: 500,
      message:
        'A native module was built for another Node version; run `npm run rebuild-native` with the Node that runs the host.',
    },
  } as const satisfies Record<string, ErrorSpec>,
  contentErrors,
);

export type ErrorCode = keyof typeof errorCatalog;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(errorCatalog, code);
}
