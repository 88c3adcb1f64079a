/**
 * What the host package offers to code outside it (the SDK's test harness, embedders): start a
 * host from a partial configuration. Everything else in host/ is internal.
 */
export { startHost, type HostOptions, type RunningHost } from './host.js';
export { buildConfig } from './config/load-config.js';
export type { HostConfig, DeepPartial, PluginEntryConfig } from './config/host-config.js';
export type { HostMetrics } from './metrics/host-metrics.js';
export type { BlobStore } from './attachments/blob-store.js';
