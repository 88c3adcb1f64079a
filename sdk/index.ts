/**
 * Switchboard SDK: the author-facing surface. Declaration-first, and it imports nothing from
 * host/. This version publishes the wire protocol types and the error catalog; the plugin
 * capability API and manifest schema arrive with the plugin system.
 */
export * from './protocol/message.js';
export * from './protocol/frames.js';
export * from './errors/error-catalog.js';
export * from './errors/switchboard-error.js';
export * from './errors/permission-denied-error.js';
export * from './plugin/permissions.js';
export * from './plugin/manifest.js';
export * from './plugin/plugin-context.js';
export * from './plugin/define-plugin.js';
