import { CAPABILITY_METHODS, INSTRUMENTS, type CapabilityMethod } from '../../sdk/app/capability-methods.js';
import type { AppLimits } from '../../sdk/app/app-limits.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PluginContext } from '../../sdk/plugin/plugin-context.js';
import { TokenBucket } from '../core/token-bucket.js';
import { BOUNDARY_LIMITS } from '../../sdk/app/boundary-limits.js';
import { boundedDataProblem } from './bounded-data.js';
import { HANDLER_MARKER, isCapabilityMethod, type HandlerRef } from './rpc-protocol.js';

/**
 * Registrations whose handler another plugin drives, and how to read that plugin from the
 * handler's arguments: it is charged the CPU of the app's events it causes.
 */
const PAYERS: Partial<Record<CapabilityMethod, (args: unknown[]) => string | undefined>> = {
  'services.provide': (args) => {
    const caller = (args[1] as { pluginId?: unknown } | undefined)?.pluginId;
    return typeof caller === 'string' ? caller : undefined;
  },
};

/**
 * Calls that put something in front of people, limited together by sendsPerMinute. A push is one
 * too: unlimited, an app would fill people's browsers and the host's one push queue, whose
 * overflow drops everyone's pushes. So is a pin or an unpin (each posts a system message), and a
 * group made or changed: unlimited, an app put a person in 600 groups in under 4 seconds, each one
 * in their list for them to leave. (A direct conversation is one per person, made once.)
 */
const SENDS: ReadonlySet<string> = new Set<CapabilityMethod>([
  'messages.send',
  'messages.forward',
  'messages.edit',
  'messages.pin',
  'messages.unpin',
  'interactive.send',
  'notifications.send',
  'conversations.createGroup',
  'conversations.addMembers',
  'conversations.removeMember',
]);
/** Argon2 on the host's threads, limited together by secretsPerMinute. */
const SECRETS: ReadonlySet<string> = new Set<CapabilityMethod>(['crypto.hashSecret', 'crypto.verifySecret']);

/**
 * The host's dispatch of an app's capability calls: one function, driven by the SDK's
 * CAPABILITY_METHODS table, onto the app's own PluginContext, so an app gets exactly the
 * checks, audit and errors a trusted plugin gets. Handlers the app registers become host
 * functions that forward into its isolate.
 */
export class CapabilityBridge {
  private readonly releases = new Map<number, () => void>();
  private readonly sends: TokenBucket;
  private readonly secrets: TokenBucket;
  /** The first registration the host refused while the app was starting: its start fails with it. */
  startError: SwitchboardError | null = null;
  starting = true;

  constructor(
    private readonly context: PluginContext,
    private readonly limits: AppLimits,
    private readonly forward: (handlerId: number, args: unknown[], payer?: string) => Promise<unknown>,
  ) {
    this.sends = new TokenBucket(limits.sendsPerMinute / 60, limits.sendsPerMinute);
    this.secrets = new TokenBucket(limits.secretsPerMinute / 60, limits.secretsPerMinute);
  }

  /** `method` and `args` come from a worker process: checked again here, as a worker is not trusted blindly. */
  async dispatch(method: unknown, args: unknown): Promise<unknown> {
    if (!isCapabilityMethod(method) || !Array.isArray(args)) {
      throw new SwitchboardError('invalid_request', `There is no capability ${String(method).slice(0, 64)}.`);
    }
    const problem = boundedDataProblem(args);
    if (problem) throw new SwitchboardError('invalid_request', problem);
    const name = method;
    const list: unknown[] = args;
    const [area, member] = name.split('.') as [string, string];
    const target = (this.context as unknown as Record<string, Record<string, (...a: unknown[]) => unknown>>)[area]!;
    if (CAPABILITY_METHODS[name] === 'call') {
      if (SENDS.has(name) && !this.sends.take()) {
        throw new SwitchboardError(
          'sandbox_limit',
          `The app may send, forward, edit, pin or push ${this.limits.sendsPerMinute} messages a minute (a group it makes or changes counts as one).`,
          { retryAfterMs: this.sends.retryAfterMs() },
        );
      }
      if (SECRETS.has(name) && !this.secrets.take()) {
        throw new SwitchboardError(
          'sandbox_limit',
          `The app may hash or verify ${this.limits.secretsPerMinute} secrets a minute.`,
          { retryAfterMs: this.secrets.retryAfterMs() },
        );
      }
      return (await target[member]!(...list)) ?? null;
    }
    if (CAPABILITY_METHODS[name] === 'instrument')
      return this.instrument(name as keyof typeof INSTRUMENTS, list, target);
    const marker = list[list.length - 1] as Partial<Record<keyof HandlerRef, unknown>> | undefined;
    const handlerId = marker?.[HANDLER_MARKER];
    if (typeof handlerId !== 'number') throw new SwitchboardError('invalid_request', `${name} needs a handler.`);
    try {
      const payer = PAYERS[name];
      const result = target[member]!(...list.slice(0, -1), (...handlerArgs: unknown[]) =>
        this.forward(handlerId, handlerArgs, payer?.(handlerArgs)),
      );
      if (typeof result === 'function') this.releases.set(handlerId, result as () => void);
    } catch (err) {
      if (this.starting && !this.startError && err instanceof SwitchboardError) this.startError = err;
      throw err;
    }
    return null;
  }

  /**
   * `[definition, recordings?]`: defines the metric (the same one each time) and applies the
   * recordings the guest batched, `[labels, value]` each, in order. The checks are the trusted
   * plugin's own: each recording is checked where it is applied.
   */
  private instrument(
    name: keyof typeof INSTRUMENTS,
    [definition, recordings]: unknown[],
    target: Record<string, (...a: unknown[]) => unknown>,
  ): null {
    const instrument = target[name.split('.')[1]!]!(definition) as Record<string, (...a: unknown[]) => void>;
    if (recordings === undefined) return null;
    if (!Array.isArray(recordings) || recordings.length > BOUNDARY_LIMITS.metricRecordingsPerCall)
      throw new SwitchboardError(
        'invalid_request',
        `An app sends at most ${BOUNDARY_LIMITS.metricRecordingsPerCall} recordings of a metric in one call.`,
      );
    const record = instrument[INSTRUMENTS[name].record]!;
    for (const r of recordings as unknown[]) {
      if (!Array.isArray(r) || r.length !== 2)
        throw new SwitchboardError('invalid_request', 'A metric recording crosses as [labels, value].');
      record(r[0], r[1]);
    }
    return null;
  }

  release(handlerId: number): void {
    this.releases.get(handlerId)?.();
    this.releases.delete(handlerId);
  }
}
