/**
 * Runs inside an app's isolate, before the app's bundle: builds the app's capability object from
 * the SDK's CAPABILITY_METHODS table and turns each call into one message through the worker's
 * dispatch: one-way (GUEST_GLOBALS.post) while the entry's share lasts, so the isolate need not
 * wait for the worker's thread, else two-way (GUEST_GLOBALS.send). Registrations go two-way, as
 * their refusal is thrown at once. Everything crosses as JSON text, so only copies cross. Nothing here is trusted by the host: the worker and the host check every message
 * again; these checks only give the app clear errors early.
 */
import './harden-globals.guest.js';
import { APP_GLOBAL_NAME } from '../../../sdk/app/app-global-name.js';
import { CAPABILITY_METHODS, INSTRUMENTS, type CapabilityMethod } from '../../../sdk/app/capability-methods.js';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import { PermissionDeniedError } from '../../../sdk/errors/permission-denied-error.js';
import type { Permission } from '../../../sdk/plugin/permissions.js';
import {
  GUEST_GLOBALS,
  HANDLER_MARKER,
  ONE_WAY_PER_ENTRY,
  RUNTIME_METHODS,
  type AppBoot,
  type GuestEntryPoints,
  type GuestOp,
  type LogLevel,
  type RuntimeArgs,
  type RuntimeKind,
  type SendReply,
  type WireError,
} from '../rpc-protocol.js';
import { errorFromWire } from '../wire-error.js';
import { toPlainJson } from './plain-json.guest.js';
import { metricInstruments } from './metric-instruments.guest.js';
import { wireError } from './wire-error.guest.js';
import { checkUploadBound } from './upload-bound.guest.js';

type Send = (method: string, payload: string, callId?: number) => string;

const g = globalThis as unknown as Record<string, unknown>;
// Captured before the app's bundle runs: the app may patch the globals, and only hurts itself.
const parse = JSON.parse;
// Always called through `apply` with the promise as `this`.
// eslint-disable-next-line @typescript-eslint/unbound-method
const then = Promise.prototype.then;
const apply = Reflect.apply;
const send = g[GUEST_GLOBALS.send] as Send;
const post = g[GUEST_GLOBALS.post] as Send;
const boot = JSON.parse(g[GUEST_GLOBALS.boot] as string) as AppBoot;
delete g[GUEST_GLOBALS.send];
delete g[GUEST_GLOBALS.post];
delete g[GUEST_GLOBALS.boot];
/** The handler marker's key as JSON text, for registrations whose arguments are already JSON. */
const HANDLER_KEY_JSON = JSON.stringify(HANDLER_MARKER);

const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: unknown) => void }>();
const handlers = new Map<number, (...args: unknown[]) => unknown>();
let nextHandler = 1;
let nextCall = 1;
/** What this entry may still send one-way; `run` renews it. */
const oneWayLeft = { messages: 0, chars: 0 };

/** The permission a registration needs, so a denial throws at once as it does for trusted plugins. */
const REGISTRATION_PERMISSIONS: Partial<Record<CapabilityMethod, Permission>> = {
  'events.on': 'events',
  'hooks.beforeStore': 'hooks',
  'commands.handle': 'commands',
  'interactive.onPostback': 'interactive',
  'http.route': 'http.routes',
  'scheduler.handle': 'scheduler',
};

/** A host error as the app gets it: a SwitchboardError, a PermissionDeniedError or a PluginError (wire-error.ts). */
function toError(wire: WireError): Error {
  return errorFromWire(wire, boot.plugin.id);
}

type Method = CapabilityMethod | (typeof RUNTIME_METHODS)[RuntimeKind];

/** One message out, two-way; `json` is the arguments' JSON text, from toPlainJson or the runtime's own data. */
function dispatchJson(method: Method, json: string, callId?: number): SendReply {
  return parse(send(method, json, callId)) as SendReply;
}

/** One message out, one-way while this entry's share lasts (`{}`: a refused call is answered later). */
function out(method: Method, json: string, callId?: number): SendReply {
  if (oneWayLeft.messages > 0 && json.length <= oneWayLeft.chars) {
    oneWayLeft.messages--;
    oneWayLeft.chars -= json.length;
    post(method, json, callId);
    return {};
  }
  return dispatchJson(method, json, callId);
}

/** For the runtime's own messages, whose arguments are plain data it built itself. */
function dispatch<K extends RuntimeKind>(kind: K, args: RuntimeArgs[K]): SendReply {
  return out(RUNTIME_METHODS[kind], toPlainJson(args, 'arguments'));
}

/**
 * Rejects in the next microtask rather than at once, so a caller that attaches its handler in the
 * same turn never leaves an "unhandled rejection" behind (isolated-vm reports those to the host).
 */
function rejectSoon(err: unknown): Promise<never> {
  return Promise.resolve().then(() => {
    throw err;
  });
}

function call(method: CapabilityMethod, args: unknown[]): Promise<unknown> {
  if (pending.size >= boot.maxPendingCalls) {
    // The worker refuses these too; refusing here spares a flood the copy and the trip out.
    return rejectSoon(
      new SwitchboardError('sandbox_limit', `The app has ${pending.size} host calls in flight, its limit.`),
    );
  }
  let json: string;
  try {
    checkUploadBound(method, args, need);
    json = toPlainJson(args, 'arguments');
  } catch (err) {
    return rejectSoon(err);
  }
  const id = nextCall++;
  const reply = out(method, json, id);
  if (reply.error) return rejectSoon(toError(reply.error));
  return new Promise((resolve, reject) => pending.set(id, { resolve, reject }));
}

function need(permission: Permission | undefined): void {
  if (permission && !boot.permissions.granted.includes(permission)) {
    throw new PermissionDeniedError(
      boot.plugin.id,
      permission,
      boot.permissions.refused.includes(permission) ? 'refused by the operator' : 'not requested in the manifest',
    );
  }
}

function register(method: CapabilityMethod, args: unknown[], subscription: boolean): unknown {
  need(REGISTRATION_PERMISSIONS[method]);
  const handler = args[args.length - 1];
  if (typeof handler !== 'function')
    throw new SwitchboardError('invalid_request', `${method} takes a handler function as its last argument.`);
  const rest = args.slice(0, -1);
  const restJson = toPlainJson(rest, 'arguments');
  const id = nextHandler++;
  handlers.set(id, handler as (...a: unknown[]) => unknown);
  const reply = dispatchJson(
    method,
    `${restJson.slice(0, -1)}${restJson.length > 2 ? ',' : ''}{${HANDLER_KEY_JSON}:${id}}]`,
    nextCall++,
  );
  if (reply.error) {
    handlers.delete(id);
    throw toError(reply.error);
  }
  if (!subscription) return undefined;
  return () => {
    if (handlers.delete(id)) dispatch('release', [id]);
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
  const log = (level: LogLevel) => (message: unknown, data?: unknown) => {
    let text: string;
    try {
      text = typeof message === 'string' ? message : String(message);
    } catch {
      // The app's toString threw: the line is still logged, saying so.
      text = '(a message that cannot be turned into text)';
    }
    text = text.slice(0, 2000);
    try {
      out(
        RUNTIME_METHODS.log,
        `[${toPlainJson(level, 'level')},${toPlainJson(text, 'message')},${toPlainJson(data ?? null, 'data')}]`,
      );
    } catch (err) {
      dispatch('log', [level, text, { unloggable: wireError(err).message }]);
    }
  };
  const context: Record<string, unknown> = {
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
  const instrument = metricInstruments({
    call,
    need,
    failed: (metric, err) => log('warn')(`metric ${metric}: the host refused its recordings`, wireError(err)),
  });
  for (const [name, kind] of Object.entries(CAPABILITY_METHODS) as [CapabilityMethod, string][]) {
    const [area, method] = name.split('.') as [string, string];
    const target = (context[area] ??= {}) as Record<string, unknown>;
    target[method] =
      kind === 'call'
        ? (...args: unknown[]) => call(name, args)
        : kind === 'instrument'
          ? (...args: unknown[]) => instrument(name as keyof typeof INSTRUMENTS, args)
          : (...args: unknown[]) => register(name, args, kind === 'subscription');
  }
  return freeze(context);
}

/** Reports how an event ended; the value must be JSON data too. */
function settle(eventId: number, promise: Promise<unknown>): void {
  // Both outcomes are handled here; the promise `then` returns has nothing left to report.
  void apply(then, promise, [
    (value: unknown) => {
      let json: string;
      try {
        json = toPlainJson(value === undefined ? null : value, 'result');
      } catch (err) {
        dispatch('done', [eventId, false, wireError(err)]);
        return;
      }
      out(RUNTIME_METHODS.done, `[${eventId},true,${json}]`);
    },
    (err: unknown) => dispatch('done', [eventId, false, wireError(err)]),
  ]);
}

interface AppModule {
  default?: { start?: (ctx: unknown) => unknown; stop?: () => unknown };
}
let definition: AppModule['default'] | undefined;

const entries = {
  start(eventId: number): void {
    settle(
      eventId,
      new Promise((resolve) => {
        const mod = g[APP_GLOBAL_NAME] as AppModule | undefined;
        g[APP_GLOBAL_NAME] = undefined;
        definition = mod?.default;
        if (!definition || typeof definition.start !== 'function') {
          throw new TypeError('The app bundle must export default defineApp({ start(context) { … } }).');
        }
        resolve(definition.start(buildContext()));
      }),
    );
  },
  stop(eventId: number): void {
    settle(eventId, new Promise((resolve) => resolve(definition?.stop?.())));
  },
  invoke(eventId: number, handlerId: number, argsJson: string): void {
    const handler = handlers.get(handlerId);
    if (!handler) {
      dispatch('done', [eventId, false, { name: 'Error', message: 'The handler was released.' }]);
      return;
    }
    const args = parse(argsJson) as unknown[];
    settle(eventId, new Promise((resolve) => resolve(handler(...args))));
  },
  resolve(callId: number, ok: boolean, json: string): void {
    const waiter = pending.get(callId);
    if (!waiter) return;
    pending.delete(callId);
    const value = parse(json) as unknown;
    if (ok) waiter.resolve(value);
    else waiter.reject(toError(value as WireError));
  },
};

/** The entry point the worker calls; it keeps a reference to it and removes this global. */
g[GUEST_GLOBALS.runtime] = {
  run(ops: GuestOp[]): void {
    oneWayLeft.messages = ONE_WAY_PER_ENTRY.messages;
    oneWayLeft.chars = ONE_WAY_PER_ENTRY.chars;
    let failure: { error: unknown } | null = null;
    // Indexed, not iterated: an app that patched Array's iterator must not stop its answers.
    for (let i = 0; i < ops.length; i++) {
      const op = ops[i]!;
      try {
        if (op[0] === 'invoke') entries.invoke(op[1], op[2], op[3]);
        else if (op[0] === 'resolve') entries.resolve(op[1], op[2], op[3]);
        else entries[op[0]](op[1]);
      } catch (error) {
        // One op's failure leaves the rest of the entry to run; the worker hears of the first.
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  },
} satisfies GuestEntryPoints;
