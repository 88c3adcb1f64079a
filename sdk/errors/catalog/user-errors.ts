import type { ErrorSpec } from '../error-spec.js';

/** The caller sent something wrong: frames, requests, access, messaging, plugins and apps. */
export const userErrors = {
  invalid_json: { kind: 'user', status: 400, message: 'The frame or body is not valid JSON.' },
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
  heartbeat_timeout: { kind: 'user', status: 400, closeCode: 4010, message: 'The client did not answer pings.' },
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
      'The app passed one of its sandbox limits (host calls in flight, sends per minute, or host calls and CPU outside its events).',
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
} as const satisfies Record<string, ErrorSpec>;
