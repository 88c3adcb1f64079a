/**
 * The permission vocabulary. A plugin requests permissions in its manifest ("permissions":
 * {name: scope}); the operator grants all or some; every capability call checks one.
 */
export const PERMISSIONS = {
  'messages.send': 'Send messages as the plugin bot, in conversations it belongs to.',
  'messages.edit': 'Edit messages the plugin bot sent.',
  'messages.read':
    'Read the history and the pins of conversations the plugin bot belongs to (and, with messages.send, forward their messages).',
  'messages.pin':
    'Pin and unpin messages in conversations the plugin bot belongs to (a pin answers the pinned message, so it needs messages.read too).',
  'conversations.read': 'List and read the conversations the plugin bot belongs to, and their members.',
  'conversations.manage':
    'Create groups and direct conversations as the bot; add and remove members where the bot is owner or admin.',
  'users.read': 'Look up public user profiles.',
  'attachments.read':
    'Read the files sent in conversations the plugin bot belongs to (and its own uploads), 512 KiB per call.',
  'attachments.write':
    "Upload files (at most 512 KiB each) as the plugin bot, to send with messages.send; its storage quota is a user's.",
  presence: 'See whether users are online (connected to any host).',
  storage: 'A private key-value store, limited by scope.quotaBytes.',
  database: "Own tables, created by the plugin's migrations and private to it (trusted plugins only).",
  events: 'Receive events named in scope.events (e.g. "message.created").',
  hooks: 'Run before messages are stored: change or reject them.',
  commands: 'Answer the slash commands the manifest contributes.',
  interactive: 'Send messages with buttons and quick replies, and receive their postbacks.',
  'http.routes': 'Serve HTTP routes under /plugins/<id>/.',
  scheduler:
    'Schedule durable one-off and recurring jobs, limited by scope.maxJobs and scope.quotaBytes (pending jobs and their payload bytes).',
  secrets: 'Hash and verify secrets (PINs, passwords) with Argon2id, computed by the host.',
  'services.call': 'Call services of other plugins named in scope.services (e.g. "payments.request").',
  'http.outbound':
    'Make HTTP requests to the hosts matching scope.hosts (e.g. "api.example.com", "*.example.com", "localhost:8080").',
  metrics: "Publish counters and histograms on the host's /metrics, named switchboard_plugin_<id>_<name>.",
  'notifications.send':
    "Push notifications to the browsers of people who share a conversation with the plugin's bot (when they are away).",
} as const;

export type Permission = keyof typeof PERMISSIONS;

export const PERMISSION_NAMES = Object.keys(PERMISSIONS) as Permission[];

/** Scopes some permissions take; others take `{}`. */
export interface PermissionScopes {
  storage: { quotaBytes?: number };
  /** Pending jobs at most (default 1,000), and their payloads' JSON bytes in total (default 1 MiB). */
  scheduler: { maxJobs?: number; quotaBytes?: number };
  events: { events?: string[] };
  'services.call': { services?: string[] };
  /** Host patterns: "api.example.com" (any port), "api.example.com:8443", "*.example.com" (subdomains), "localhost:*", "*" (any host). */
  'http.outbound': { hosts?: string[] };
}

export type PermissionScope<P extends Permission> = P extends keyof PermissionScopes
  ? PermissionScopes[P]
  : Record<string, never>;

export type PermissionRequests = { [P in Permission]?: PermissionScope<P> };
