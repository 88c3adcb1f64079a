/**
 * The sandbox's messages have one dispatch: a map from each message type to its handler, typed so
 * that a type added to the protocol does not compile until it is handled (the @ts-expect-error
 * lines below fail the typecheck if that ever stops being true). A message whose type is not
 * the map's own, such as one from a worker that is not what it should be, reaches no handler.
 */
import { describe, expect, it } from 'vitest';
import { dispatchTo, handles, type AppNotice, type Handlers, type HostToWorker } from '../host/sandbox/rpc-protocol.js';

describe('sandbox protocol dispatch', () => {
  it('hands each message to the handler of its type, with what the receiver knows', () => {
    const seen: string[] = [];
    const handlers: Handlers<AppNotice, void, [string]> = {
      call: (m, from) => seen.push(`${from} call ${m.method}`),
      log: (m, from) => seen.push(`${from} log ${m.level}`),
      release: (m, from) => seen.push(`${from} release ${m.handler}`),
      crashed: (m, from) => seen.push(`${from} crashed ${m.reason}`),
      stuck: (m, from) => seen.push(`${from} stuck ${m.app}`),
    };
    dispatchTo(handlers, { t: 'log', app: 'a', level: 'warn', message: 'x' }, 'w1');
    dispatchTo(handlers, { t: 'release', app: 'a', handler: 3 }, 'w2');
    expect(seen).toEqual(['w1 log warn', 'w2 release 3']);
  });

  it('reaches no handler for a type the map does not own', () => {
    const handlers: Handlers<HostToWorker, string> = {
      init: () => 'init',
      load: () => 'load',
      invoke: () => 'invoke',
      unload: () => 'unload',
      ret: () => 'ret',
      ping: () => 'ping',
    };
    for (const t of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'nope', 7]) {
      expect(handles(handlers, { t })).toBe(false);
      expect(() => dispatchTo(handlers, { t } as unknown as HostToWorker)).toThrow(TypeError);
    }
    expect(handles(handlers, { t: 'ping' })).toBe(true);
  });

  it('does not compile a dispatch that misses a message type', () => {
    // @ts-expect-error `ping` has no handler.
    const missing: Handlers<HostToWorker> = { init() {}, load() {}, invoke() {}, unload() {}, ret() {} };
    expect(Object.keys(missing)).not.toContain('ping');
  });
});
