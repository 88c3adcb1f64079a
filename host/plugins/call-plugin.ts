import { performance } from 'node:perf_hooks';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { PluginError } from '../../sdk/plugin/plugin-error.js';
import type { PluginLogs } from './plugin-logs.js';
import { withTimeout } from './with-timeout.js';
import type { PluginCallKind, PluginCallOutcome } from '../metrics/plugin-call-metrics.js';

/** One call into a plugin's code, as the host makes it. */
export interface PluginCall {
  /** The plugin whose code runs; its failures go to this plugin's log. */
  readonly pluginId: string;
  /** Which boundary this is, for the metrics. */
  readonly kind: PluginCallKind;
  /** What runs, for the log and for the caller's error: "/pay", "POST /transfers", "service request". */
  readonly what: string;
  /** Past this the call answers plugin_timeout; null: no deadline (event handlers). */
  readonly deadlineMs: number | null;
  /**
   * Whether someone waits for the answer. Hooks and event handlers have no caller that a
   * refusal could reach, so for them every throw is the plugin's failure.
   */
  readonly hasCaller: boolean;
  /** The plugin that called, for a service: the log line names it. */
  readonly callerId?: string;
}

/**
 * Host errors that tell the caller "retry later" rather than "the plugin broke": they keep the
 * status a client can act on. `database_transaction_timeout` is the plugin's own transaction
 * running out of time (a user error of the plugin, 408 in the catalog); to the plugin's caller it
 * means a retry may succeed, so it answers 503 with its code.
 */
const RETRY_LATER_STATUS: Readonly<Record<string, number>> = { database_transaction_timeout: 503 };

/**
 * The one way the host runs plugin code (commands, postbacks, routes, services, hooks, events),
 * with one rule for what a throw becomes:
 * - the plugin's own refusal, a PluginError (PaymentError, BusinessError …), reaches the caller
 *   with its code, status, message and details;
 * - a host user error the plugin's code met (rate_limited, invalid_message_body …) reaches the
 *   caller as it is, with its catalog status, and so does `unavailable`; `permission_denied` does
 *   not, since a permission the plugin lacks is its own fault;
 * - anything else is recorded in the plugin's log and becomes plugin_failed, or plugin_timeout
 *   past the deadline.
 * A refusal is rebuilt, its details copied, so the caller holds nothing of the plugin's.
 * `run` is called synchronously: a synchronous answer needs no timer (nor could a timer stop a
 * synchronous loop); a promise is raced against the deadline.
 */
export async function callPlugin<T>(logs: PluginLogs, call: PluginCall, run: () => T | PromiseLike<T>): Promise<T> {
  const startedAt = performance.now();
  try {
    const answer = run();
    if (!isThenable(answer)) {
      logs.recordCall(call.pluginId, call.kind, startedAt, 'ok');
      return answer;
    }
    const settled = Promise.resolve(answer);
    const value = call.deadlineMs === null ? await settled : await withTimeout(settled, call.deadlineMs);
    logs.recordCall(call.pluginId, call.kind, startedAt, 'ok');
    return value;
  } catch (err) {
    const { error, outcome } = outcomeOf(logs, call, err);
    logs.recordCall(call.pluginId, call.kind, startedAt, outcome);
    throw error;
  }
}

/** What the caller gets for `err`, recorded in the plugin's log unless it is a refusal. */
function outcomeOf(
  logs: PluginLogs,
  call: PluginCall,
  err: unknown,
): { error: Error; outcome: Exclude<PluginCallOutcome, 'ok'> } {
  const refusal = call.hasCaller ? refusalOf(err) : null;
  if (refusal) return { error: refusal, outcome: 'refused' };
  logs.recordFailure(
    call.pluginId,
    `${call.what} failed${call.callerId === undefined ? '' : ` (called by ${call.callerId})`}`,
    err,
  );
  if (err instanceof SwitchboardError && err.code === 'plugin_timeout') {
    const within = call.deadlineMs === null ? '' : ` within ${call.deadlineMs} ms`;
    const error = new SwitchboardError(
      'plugin_timeout',
      `The plugin ${call.pluginId} did not answer ${call.what}${within}.`,
      { cause: err },
    );
    return { error, outcome: 'timeout' };
  }
  // The cause stays on the host's side (a job keeps it as its last error); callers see the code.
  const error = new SwitchboardError(
    'plugin_failed',
    `The plugin ${call.pluginId} failed while handling ${call.what}.`,
    {
      cause: err,
    },
  );
  return { error, outcome: 'failed' };
}

/** A fresh copy of the refusal in `err` that the caller may see, or null when it is a failure. */
function refusalOf(err: unknown): Error | null {
  try {
    if (err instanceof PluginError) {
      if (typeof err.code !== 'string' || !Number.isInteger(err.status) || err.status < 400 || err.status > 599)
        return null;
      const message = String(err.message);
      const details = err.details === undefined ? undefined : structuredClone(err.details);
      return new PluginError(err.code, { status: err.status, message }, message, details);
    }
    if (!(err instanceof SwitchboardError)) return null;
    const status = RETRY_LATER_STATUS[err.code];
    if (status !== undefined) return new PluginError(err.code, { status, message: err.message });
    if ((err.kind === 'user' && err.code !== 'permission_denied') || err.code === 'unavailable') {
      return new SwitchboardError(err.code, err.message, {
        ...(err.details ? { details: structuredClone(err.details) } : {}),
        ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}),
      });
    }
    return null;
  } catch {
    // Details that cannot be copied (a function, a getter that throws): the plugin's failure.
    return null;
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}
