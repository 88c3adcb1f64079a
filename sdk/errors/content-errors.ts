import type { ErrorSpec } from './error-catalog.js';

/**
 * The catalog's user errors of what messages carry and what people are told: attachments and
 * images, mentions and threads, push notifications, link previews. Part of the one catalog
 * (error-catalog.ts spreads them in); kept apart only so each file stays readable.
 */
export const contentErrors = {
  // ---- part A (attachments): uploads, access and sending ------------------
  attachment_not_found: {
    kind: 'user',
    status: 404,
    message: 'No such attachment, or you may not see it.',
  },
  attachment_too_large: { kind: 'user', status: 413, message: 'The upload exceeds the size limit for attachments.' },
  attachment_quota_exceeded: {
    kind: 'user',
    status: 413,
    message: 'The upload would take you past your attachment storage quota.',
  },
  attachment_type_mismatch: {
    kind: 'user',
    status: 415,
    message: "The upload's declared type does not match its content.",
  },
  attachment_type_not_allowed: {
    kind: 'user',
    status: 415,
    message: "The upload's type (taken from its content) is not on this host's allow-list.",
  },
  attachment_already_sent: {
    kind: 'user',
    status: 409,
    message: 'The attachment was already sent with another message; upload it again to send it again.',
  },
  attachment_url_invalid: {
    kind: 'user',
    status: 403,
    message: 'The file URL expired or its signature does not match; fetch the attachment again for a new one.',
  },
  range_not_satisfiable: {
    kind: 'user',
    status: 416,
    message: 'The Range header asks for bytes the file does not have.',
  },

  // ---- part A2 (images, avatars, profile edits) ---------------------------
  attachment_image_too_large: {
    kind: 'user',
    status: 413,
    message: 'The image has more pixels than this host decodes (attachments.maxImagePixels).',
  },
  attachment_invalid_image: {
    kind: 'user',
    status: 415,
    message: 'The file looks like an image but cannot be decoded (truncated, corrupt or an unsupported variant).',
  },
  avatar_not_found: { kind: 'user', status: 404, message: 'No user has this avatar (any more).' },

  // ---- part C (mentions, threads, mute) ----------------------------------
  mention_all_not_allowed: {
    kind: 'user',
    status: 403,
    message: 'Only owners and admins may mention everyone (@all) in this group.',
  },
  invalid_thread_root: {
    kind: 'user',
    status: 400,
    message: 'A thread root must be a message of the main timeline, not a reply in a thread.',
  },
  thread_not_followed: { kind: 'user', status: 404, message: 'You do not follow this thread.' },

  // ---- part D (push notifications) ---------------------------------------
  push_disabled: { kind: 'user', status: 404, message: 'Push notifications are turned off on this host.' },
  push_endpoint_invalid: {
    kind: 'user',
    status: 400,
    message: "The push subscription's endpoint is not an https: URL of a push service on a public address.",
  },
  link_previews_disabled: { kind: 'user', status: 404, message: 'Link previews are turned off on this host.' },
} as const satisfies Record<string, ErrorSpec>;
