/**
 * What the operator's admin API answers about plugins, their logs and audit trail, and sandboxed
 * apps (docs/protocol.md "Admin", docs/plugins.md, docs/apps.md): the host's routes build these,
 * the operator console reads them.
 */
import type { ErrorBody } from '../errors/switchboard-error.js';

export type PluginStatus = 'running' | 'failed' | 'disabled';

/** One plugin (GET /v1/admin/plugins). */
export interface PluginInfo {
  id: string;
  name: string | null;
  version: string | null;
  status: PluginStatus;
  botUserId: string | null;
  granted: string[];
  refused: string[];
  error: ErrorBody | null;
}

/** A line of a plugin's log (GET /v1/admin/plugins/:id/logs). */
export interface PluginLogEntry {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  data: Record<string, unknown> | null;
  at: string;
  /** Present when the message or the data was cut to the log's limits. */
  truncated?: true;
}

/** A side effect a plugin made through its capabilities (GET /v1/admin/audit). */
export interface AuditEntry {
  id: number;
  pluginId: string;
  capability: string;
  action: string;
  target: string | null;
  at: string;
}

/** The audit trail's query. */
export interface AuditFilter {
  pluginId?: string;
  capability?: string;
  action?: string;
  /** An entry id: only older entries. */
  before?: number;
}

/** A sandboxed app's state (GET /v1/admin/apps). */
export type AppState = 'starting' | 'running' | 'restarting' | 'failed' | 'disabled' | 'stopped';
