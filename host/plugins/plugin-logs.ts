import { performance } from 'node:perf_hooks';
import { inject, injectable } from 'tsyringe';
import type { PluginLogger } from '../../sdk/plugin/plugin-context.js';
import type { PluginLogEntry } from '../../sdk/protocol/admin.js';
import { Tokens } from '../core/container-tokens.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import type { PluginCallKind, PluginCallMetrics, PluginCallOutcome } from '../metrics/plugin-call-metrics.js';
import { TokenBucket } from '../core/token-bucket.js';
import { boundedCopy } from './bounded-copy.js';

export type { PluginLogEntry };

/**
 * Every plugin's log is bounded, trusted or sandboxed: a plugin must not be able to grow the host's
 * heap or flood the host log through ctx.log (documented in docs/plugins.md and docs/apps.md).
 */
export const PLUGIN_LOG_LIMITS = Object.freeze({
  /** Lines kept per plugin, and their total size (each line's JSON, in bytes); the oldest go first. */
  keepLines: 500,
  keepBytes: 256 * 1024,
  /** Characters kept of a line's message. */
  messageChars: 2000,
  /** A line's data: its JSON size, nesting depth, keys per object (items per array), characters per string. */
  dataBytes: 4 * 1024,
  dataDepth: 8,
  dataKeys: 100,
  dataStringChars: 2000,
  /** Lines a plugin may log per second, sustained, and in a burst; the rest are dropped and counted. */
  linesPerSecond: 100,
  burstLines: 200,
  /** How soon after the first dropped line the count is logged (a read reports it at once). */
  droppedReportMs: 1000,
});

interface KeptLine {
  entry: PluginLogEntry;
  bytes: number;
}

interface PluginLogState {
  readonly lines: KeptLine[];
  bytes: number;
  readonly bucket: TokenBucket;
  dropped: number;
  reportTimer: NodeJS.Timeout | null;
  readonly host: Logger;
  readonly logger: PluginLogger;
}

/**
 * Each plugin's recent log lines, for operators (GET /v1/admin/plugins/:id/logs), and the same
 * lines in the host log tagged with the plugin id. Host-side errors about a plugin land here too.
 */
@injectable()
export class PluginLogs {
  private readonly states = new Map<string, PluginLogState>();

  constructor(
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(Tokens.Metrics) metrics?: HostMetrics,
  ) {
    this.calls = metrics?.pluginCalls ?? null;
  }

  /** Every call's outcome, beside the failures' lines: callPlugin, the one boundary, reports both here. */
  private readonly calls: PluginCallMetrics | null;

  recordCall(pluginId: string, kind: PluginCallKind, startedAt: number, outcome: PluginCallOutcome): void {
    this.calls?.record(pluginId, kind, (performance.now() - startedAt) / 1000, outcome);
  }

  loggerFor(pluginId: string): PluginLogger {
    return this.stateOf(pluginId).logger;
  }

  /** A failure the host saw in the plugin's code (a throwing handler, a timeout). */
  recordFailure(pluginId: string, what: string, err: unknown): void {
    const state = this.stateOf(pluginId);
    // Rate limited too: a plugin that throws on every message could otherwise flood both logs.
    if (!this.admit(state)) return;
    const message = limitMessage(`${what}: ${failureMessage(err)}`);
    this.append(state, {
      level: 'error',
      message: message.text,
      data: null,
      at: new Date().toISOString(),
      ...(message.cut ? { truncated: true } : {}),
    });
    // pino would serialize every enumerable property of the error; give it a bounded copy instead.
    state.host.warn({ err: copyData(err).data }, what);
  }

  /** The newest `limit` lines, oldest first; a pending count of dropped lines is logged first. */
  entries(pluginId: string, limit: number): PluginLogEntry[] {
    const state = this.states.get(pluginId);
    if (!state) return [];
    this.reportDropped(state);
    return state.lines.slice(-limit).map((line) => line.entry);
  }

  private stateOf(pluginId: string): PluginLogState {
    let state = this.states.get(pluginId);
    if (!state) {
      const write = (level: PluginLogEntry['level']) => (message: string, data?: Record<string, unknown>) =>
        this.write(pluginId, level, message, data);
      state = {
        lines: [],
        bytes: 0,
        dropped: 0,
        reportTimer: null,
        bucket: new TokenBucket(PLUGIN_LOG_LIMITS.linesPerSecond, PLUGIN_LOG_LIMITS.burstLines),
        host: this.log.child({ plugin: pluginId }),
        logger: { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') },
      };
      this.states.set(pluginId, state);
    }
    return state;
  }

  private write(pluginId: string, level: PluginLogEntry['level'], message: unknown, data: unknown): void {
    const state = this.stateOf(pluginId);
    // Checked before copying anything, so a dropped line costs the host next to nothing.
    if (!this.admit(state)) return;
    const text = limitMessage(safeString(() => String(message)));
    const copy = data === undefined ? { data: null, truncated: false } : copyData(data);
    const truncated = text.cut || copy.truncated;
    this.append(state, {
      level,
      message: text.text,
      data: copy.data,
      at: new Date().toISOString(),
      ...(truncated ? { truncated: true } : {}),
    });
    state.host[level]({ ...copy.data, ...(truncated ? { truncated: true } : {}) }, text.text);
  }

  /** Takes a token from the plugin's bucket; counts the line as dropped when there is none. */
  private admit(state: PluginLogState): boolean {
    if (state.bucket.take()) return true;
    if (state.dropped++ === 0) {
      state.reportTimer = setTimeout(() => this.reportDropped(state), PLUGIN_LOG_LIMITS.droppedReportMs);
      // A pending report must not keep a stopping host's process alive.
      state.reportTimer.unref();
    }
    return false;
  }

  /** One line for all the lines dropped since the last report; not itself rate limited, as it comes at most once per period or read. */
  private reportDropped(state: PluginLogState): void {
    if (state.reportTimer) clearTimeout(state.reportTimer);
    state.reportTimer = null;
    const dropped = state.dropped;
    if (dropped === 0) return;
    state.dropped = 0;
    const message = `${dropped} log lines dropped (rate limit)`;
    this.append(state, { level: 'warn', message, data: { dropped }, at: new Date().toISOString() });
    state.host.warn({ dropped }, message);
  }

  private append(state: PluginLogState, entry: PluginLogEntry): void {
    // Measured once here (the data is already bounded), so eviction and reads never re-serialize.
    const bytes = Buffer.byteLength(JSON.stringify(entry));
    state.lines.push({ entry, bytes });
    state.bytes += bytes;
    while (state.lines.length > PLUGIN_LOG_LIMITS.keepLines || state.bytes > PLUGIN_LOG_LIMITS.keepBytes) {
      state.bytes -= state.lines.shift()!.bytes;
    }
  }
}

function copyData(data: unknown): { data: Record<string, unknown>; truncated: boolean } {
  const copy = boundedCopy(data, {
    maxBytes: PLUGIN_LOG_LIMITS.dataBytes,
    maxDepth: PLUGIN_LOG_LIMITS.dataDepth,
    maxKeys: PLUGIN_LOG_LIMITS.dataKeys,
    maxStringChars: PLUGIN_LOG_LIMITS.dataStringChars,
  });
  const value = copy.value;
  // Readers expect an object; anything else (a string, an array, a marker) is wrapped.
  const isRecord = typeof value === 'object' && value !== null && !Array.isArray(value);
  return { data: isRecord ? (value as Record<string, unknown>) : { value }, truncated: copy.truncated };
}

/**
 * Cut to messageChars, and always a fresh string: a slice of a plugin's long string would keep
 * the whole original alive for as long as the line is kept.
 */
function limitMessage(message: string): { text: string; cut: boolean } {
  const cut = message.length > PLUGIN_LOG_LIMITS.messageChars;
  return { text: Buffer.from(cut ? message.slice(0, PLUGIN_LOG_LIMITS.messageChars) : message).toString(), cut };
}

/** What a plugin's failure says: an Error's message, anything else as String() gives it; never throws. */
export function failureMessage(err: unknown): string {
  return err instanceof Error ? safeString(() => err.message) : safeString(() => String(err));
}

/** A message of a plugin's object whose toString or message getter throws. */
function safeString(read: () => string): string {
  try {
    const value = read();
    return typeof value === 'string' ? value : '[unprintable]';
  } catch {
    // The plugin's own getter or toString threw; its error is as unprintable as the value was.
    return '[unprintable]';
  }
}
