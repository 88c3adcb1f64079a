import type { AppContext } from './define-app.js';

/** The capability areas of an app context (the rest is plain data, or the logger). */
type Capabilities = Omit<AppContext, 'plugin' | 'self' | 'permissions' | 'settings' | 'log'>;
type MethodsOf<T> = { [K in keyof T]: T[K] extends (...args: never[]) => unknown ? K : never }[keyof T];

/** Every capability method, as "<area>.<method>", derived from the SDK's own types. */
export type CapabilityMethod = {
  [C in keyof Capabilities]: `${C & string}.${MethodsOf<Capabilities[C]> & string}`;
}[keyof Capabilities];

/**
 * How a method crosses the sandbox boundary:
 * - call: plain-data arguments in, a plain-data result out;
 * - handler: registers a handler (its last argument) that the host calls back with plain data;
 * - subscription: a handler registration that returns an unsubscribe function;
 * - instrument: defines a metric and returns its recorder; in the sandbox the guest runtime makes
 *   the recorder, and its recordings cross as the same method's second argument, in batches.
 */
export type CapabilityMethodKind = 'call' | 'handler' | 'subscription' | 'instrument';

/**
 * The one table of what crosses the boundary. `satisfies` makes the compiler check it against
 * the PluginContext types: a method added to the SDK and missing here (or listed here and not
 * in the SDK) fails the build, so apps and trusted plugins always see the same API.
 */
export const CAPABILITY_METHODS = {
  'messages.send': 'call',
  'messages.forward': 'call',
  'messages.edit': 'call',
  'messages.history': 'call',
  'messages.pin': 'call',
  'messages.unpin': 'call',
  'messages.pins': 'call',
  'conversations.list': 'call',
  'conversations.get': 'call',
  'conversations.members': 'call',
  'conversations.direct': 'call',
  'conversations.createGroup': 'call',
  'conversations.addMembers': 'call',
  'conversations.removeMember': 'call',
  'users.get': 'call',
  'users.byHandle': 'call',
  'users.presence': 'call',
  'storage.get': 'call',
  'storage.set': 'call',
  'storage.delete': 'call',
  'storage.list': 'call',
  'storage.usage': 'call',
  'events.on': 'subscription',
  'hooks.beforeStore': 'handler',
  'commands.handle': 'handler',
  'interactive.send': 'call',
  'interactive.onPostback': 'handler',
  'http.route': 'handler',
  'http.webhookSecret': 'call',
  'http.fetch': 'call',
  'scheduler.handle': 'handler',
  'scheduler.schedule': 'call',
  'scheduler.every': 'call',
  'scheduler.cancel': 'call',
  'scheduler.list': 'call',
  'services.provide': 'handler',
  'services.call': 'call',
  'crypto.sha256': 'call',
  'crypto.hmacSha256': 'call',
  'crypto.randomId': 'call',
  'crypto.hashSecret': 'call',
  'crypto.verifySecret': 'call',
  'metrics.counter': 'instrument',
  'metrics.histogram': 'instrument',
  'attachments.upload': 'call',
  'attachments.read': 'call',
  'notifications.send': 'call',
} as const satisfies Record<CapabilityMethod, CapabilityMethodKind>;

export type InstrumentMethod = {
  [M in CapabilityMethod]: (typeof CAPABILITY_METHODS)[M] extends 'instrument' ? M : never;
}[CapabilityMethod];

/** The recorder method of each instrument, and the metric kind it defines. */
export const INSTRUMENTS = {
  'metrics.counter': { kind: 'counter', record: 'inc' },
  'metrics.histogram': { kind: 'histogram', record: 'observe' },
} as const satisfies Record<InstrumentMethod, { kind: string; record: string }>;
