import { inject, injectable } from 'tsyringe';
import type { PluginLogger } from '../../sdk/plugin/plugin-context.js';
import { Tokens } from '../container-tokens.js';
import type { Logger } from '../logging/logger.js';

export interface PluginLogEntry { level: 'debug' | 'info' | 'warn' | 'error'; message: string; data: Record<string, unknown> | null; at: string }

const KEEP = 500;

/**
 * Each plugin's recent log lines, for operators (GET /v1/admin/plugins/:id/logs), and the same
 * lines in the host log tagged with the plugin id. Host-side errors about a plugin land here too.
 */
@injectable()
export class PluginLogs {
  private readonly buffers = new Map<string, PluginLogEntry[]>();

  constructor(@inject(Tokens.Logger) private readonly log: Logger) {}

  loggerFor(pluginId: string): PluginLogger {
    const child = this.log.child({ plugin: pluginId });
    const write = (level: PluginLogEntry['level']) => (message: string, data?: Record<string, unknown>) => {
      const text = String(message).slice(0, 2000);
      const copy = data === undefined ? null : safeCopy(data);
      this.append(pluginId, { level, message: text, data: copy, at: new Date().toISOString() });
      child[level](copy ?? {}, text);
    };
    return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
  }

  /** A failure the host saw in the plugin's code (a throwing handler, a timeout). */
  recordFailure(pluginId: string, what: string, err: unknown): void {
    const message = err instanceof Error ? err.message : String(err);
    this.append(pluginId, { level: 'error', message: `${what}: ${message}`.slice(0, 2000), data: null, at: new Date().toISOString() });
    this.log.warn({ plugin: pluginId, err }, what);
  }

  entries(pluginId: string, limit: number): PluginLogEntry[] {
    return (this.buffers.get(pluginId) ?? []).slice(-limit);
  }

  private append(pluginId: string, entry: PluginLogEntry): void {
    let buffer = this.buffers.get(pluginId);
    if (!buffer) this.buffers.set(pluginId, (buffer = []));
    buffer.push(entry);
    if (buffer.length > KEEP) buffer.splice(0, buffer.length - KEEP);
  }
}

function safeCopy(data: Record<string, unknown>): Record<string, unknown> | null {
  try {
    return JSON.parse(JSON.stringify(data)) as Record<string, unknown>;
  } catch {
    return { unserializable: true };
  }
}
