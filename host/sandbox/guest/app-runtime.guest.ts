/**
 * Runs inside an app's isolate, before the app's bundle: builds the app's capability object from
 * the SDK's CAPABILITY_METHODS table and turns each call into one message through the single
 * dispatch callback the worker installed (`__sb_send`). Everything crosses as JSON text, so only
 * copies cross. Nothing here is trusted by the host: the worker and the host check every message
 * again; these checks only give the app clear errors early.
 */
import { CAPABILITY_METHODS, type CapabilityMethod } from '../../../sdk/app/capability-methods.js';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { PermissionDeniedError } from '../../../sdk/errors/permission-denied-error.js';
import { isErrorCode } from '../../../sdk/errors/error-catalog.js';
import type { Permission } from '../../../sdk/plugin/permissions.js';

interface WireError { name: string; code?: string; message: string; permission?: string; details?: { path: string; message: string }[] }
interface Boot { plugin: { id: string; version: string }; self: unknown; permissions: { granted: string[]; refused: string[] }; settings: unknown; maxPendingCalls: number }
type Send = (method: string, payload: string) => string;

const g = globalThis as unknown as Record<string, unknown>;
const send = g.__sb_send as Send;
const boot = JSON.parse(g.__sb_boot as string) as Boot;
delete g.__sb_send;
delete g.__sb_boot;

const MAX_DEPTH = 64;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
const handlers = new Map<number, (...args: unknown[]) => unknown>();
let nextHandler = 1;

/** The permission a registration needs, so a denial throws at once as it does for trusted plugins. */
const REGISTRATION_PERMISSIONS: Partial<Record<CapabilityMethod, Permission>> = {
  'events.on': 'events', 'hooks.beforeStore': 'hooks', 'commands.handle': 'commands',
  'interactive.onPostback': 'interactive', 'http.route': 'http.routes', 'scheduler.handle': 'scheduler',
};

/** Only JSON data crosses; say exactly what did not, rather than let JSON.stringify drop it. */
function assertPlain(value: unknown, path: string, depth: number): void {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`${path} is ${value}; only finite numbers cross the sandbox boundary.`);
    return;
  }
  if (depth > MAX_DEPTH) throw new TypeError(`${path} is nested deeper than ${MAX_DEPTH} levels.`);
  if (typeof value !== 'object') throw new TypeError(`${path} is a ${typeof value}; only JSON data (no functions, symbols, bigints or undefined) crosses the sandbox boundary.`);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      if (value[i] === undefined) throw new TypeError(`${path}[${i}] is undefined; only JSON data crosses the sandbox boundary.`);
      assertPlain(value[i], `${path}[${i}]`, depth + 1);
    }
    return;
  }
  const proto = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) throw new TypeError(`${path} is not a plain object; only JSON data crosses the sandbox boundary.`);
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v !== undefined) assertPlain(v, `${path}.${key}`, depth + 1);
  }
}

function toError(wire: WireError): Error {
  let error: Error;
  if (wire.code === 'permission_denied' && wire.permission) {
    error = new PermissionDeniedError(boot.plugin.id, wire.permission as Permission);
  } else if (wire.code && isErrorCode(wire.code)) {
    error = new SwitchboardError(wire.code, wire.message, { details: wire.details });
  } else {
    error = new Error(wire.message);
  }
  error.message = wire.message;
  if (wire.name) error.name = wire.name;
  return error;
}

function wireError(err: unknown): WireError {
  const e = err as { name?: unknown; message?: unknown; code?: unknown };
  const message = typeof e?.message === 'string' ? e.message : String(err);
  return { name: typeof e?.name === 'string' ? e.name : 'Error', message: message.slice(0, 2000), ...(typeof e?.code === 'string' ? { code: e.code } : {}) };
}

function dispatch(method: string, args: unknown[]): { id?: number; error?: WireError } {
  return JSON.parse(send(method, JSON.stringify(args))) as { id?: number; error?: WireError };
}

/**
 * Rejects in the next microtask rather than at once, so a caller that attaches its handler in the
 * same turn never leaves an "unhandled rejection" behind (isolated-vm reports those to the host).
 */
function rejectSoon(err: unknown): Promise<never> {
  return Promise.resolve().then(() => { throw err; });
}

function call(method: CapabilityMethod, args: unknown[]): Promise<unknown> {
  try {
    assertPlain(args, 'arguments', 0);
  } catch (err) {
    return rejectSoon(err);
  }
  if (pending.size >= boot.maxPendingCalls) {
    // The worker refuses these too; refusing here spares a flood the trip out of the isolate.
    return rejectSoon(new SwitchboardError('sandbox_limit', `The app has ${pending.size} host calls in flight, its limit.`));
  }
  const reply = dispatch(method, args);
  if (reply.error) return rejectSoon(toError(reply.error));
  return new Promise((resolve, reject) => pending.set(reply.id!, { resolve, reject }));
}

function register(method: CapabilityMethod, args: unknown[], subscription: boolean): unknown {
  const permission = REGISTRATION_PERMISSIONS[method];
  if (permission && !boot.permissions.granted.includes(permission)) {
    throw new PermissionDeniedError(boot.plugin.id, permission, boot.permissions.refused.includes(permission) ? 'refused by the operator' : 'not requested in the manifest');
  }
  const handler = args[args.length - 1];
  if (typeof handler !== 'function') throw new SwitchboardError('invalid_request', `${method} takes a handler function as its last argument.`);
  const rest = args.slice(0, -1);
  assertPlain(rest, 'arguments', 0);
  const id = nextHandler++;
  handlers.set(id, handler as (...a: unknown[]) => unknown);
  const reply = dispatch(method, [...rest, { $handler: id }]);
  if (reply.error) {
    handlers.delete(id);
    throw toError(reply.error);
  }
  if (!subscription) return undefined;
  return () => {
    if (handlers.delete(id)) dispatch('$release', [id]);
  };
}

function freeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value as object)) freeze(v);
  }
  return value;
}

function buildContext(): Record<string, unknown> {
  const log = (level: string) => (message: unknown, data?: unknown) => {
    try {
      assertPlain(data ?? null, 'data', 0);
      dispatch('$log', [level, String(message), data ?? null]);
    } catch (err) {
      dispatch('$log', [level, String(message), { unloggable: String((err as Error).message) }]);
    }
  };
  const context: Record<string, Record<string, unknown> | unknown> = {
    plugin: boot.plugin,
    self: boot.self,
    settings: boot.settings,
    permissions: {
      granted: boot.permissions.granted,
      refused: boot.permissions.refused,
      has: (p: string) => boot.permissions.granted.includes(p),
    },
    log: { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') },
  };
  for (const [name, kind] of Object.entries(CAPABILITY_METHODS) as [CapabilityMethod, string][]) {
    const [area, method] = name.split('.') as [string, string];
    const target = (context[area] ??= {}) as Record<string, unknown>;
    target[method] = kind === 'call'
      ? (...args: unknown[]) => call(name, args)
      : (...args: unknown[]) => register(name, args, kind === 'subscription');
  }
  return freeze(context);
}

/** Reports how an event ended; the value must be JSON data too. */
function settle(eventId: number, promise: Promise<unknown>): void {
  promise.then(
    (value) => {
      try {
        assertPlain(value === undefined ? null : value, 'result', 0);
        dispatch('$done', [eventId, true, value === undefined ? null : value]);
      } catch (err) {
        dispatch('$done', [eventId, false, wireError(err)]);
      }
    },
    (err) => dispatch('$done', [eventId, false, wireError(err)]),
  );
}

interface AppModule { default?: { start?: (ctx: unknown) => unknown; stop?: () => unknown } }
let definition: AppModule['default'] | undefined;

/** The entry points the worker calls; it keeps references to them and removes this global. */
g.__sb_runtime = {
  start(eventId: number): void {
    settle(eventId, new Promise((resolve) => {
      const mod = g.__switchboard_app as AppModule | undefined;
      g.__switchboard_app = undefined;
      definition = mod?.default;
      if (!definition || typeof definition.start !== 'function') {
        throw new TypeError('The app bundle must export default defineApp({ start(context) { … } }).');
      }
      resolve(definition.start(buildContext()));
    }));
  },
  stop(eventId: number): void {
    settle(eventId, new Promise((resolve) => resolve(definition?.stop?.())));
  },
  invoke(eventId: number, handlerId: number, argsJson: string): void {
    const handler = handlers.get(handlerId);
    if (!handler) {
      dispatch('$done', [eventId, false, { name: 'Error', message: 'The handler was released.' }]);
      return;
    }
    const args = JSON.parse(argsJson) as unknown[];
    settle(eventId, new Promise((resolve) => resolve(handler(...args))));
  },
  resolve(callId: number, ok: boolean, json: string): void {
    const waiter = pending.get(callId);
    if (!waiter) return;
    pending.delete(callId);
    const value = JSON.parse(json) as unknown;
    if (ok) waiter.resolve(value);
    else waiter.reject(toError(value as WireError));
  },
};
