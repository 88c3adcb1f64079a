/**
 * Switchboard SDK: the author-facing surface. Declaration-first, and it imports nothing from
 * host/: the wire protocol types, the error catalog, the plugin manifest (types and JSON
 * Schema in plugin/manifest-schema.json), the permissions and the capability API, and the
 * base64 and UTF-8 helpers an app bundles (its isolate has no Buffer, atob or TextEncoder).
 */
export * from './protocol/message.js';
export * from './protocol/frames.js';
export * from './protocol/attachments.js';
export * from './errors/error-catalog.js';
export * from './errors/switchboard-error.js';
export * from './errors/permission-denied-error.js';
export * from './plugin/permissions.js';
export * from './plugin/manifest.js';
export * from './plugin/plugin-context.js';
export * from './plugin/database.js';
export * from './plugin/update-stored.js';
export * from './plugin/with-deadline.js';
export * from './plugin/group-commit-queue.js';
export * from './plugin/outbound-limits.js';
export * from './plugin/plugin-error.js';
export * from './plugin/define-plugin.js';
export * from './app/define-app.js';
export * from './app/capability-methods.js';
export * from './app/app-limits.js';
export * from './app/boundary-limits.js';
export * from './app/encoding.js';
