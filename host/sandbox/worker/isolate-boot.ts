import ivm from 'isolated-vm';
import { GUEST_GLOBALS, type AppBoot, type GuestEntryPoints } from '../rpc-protocol.js';
import type { GuestCode } from './guest-code.js';
import type { GuestDispatch } from './guest-dispatch.js';
import { lastWords } from './last-words.js';

/** The guest runtime's entry point, as a reference into the app's isolate. */
export type GuestRuntime = { readonly [K in keyof GuestEntryPoints]: ivm.Reference };

/** A new isolate for an app, within its memory limit. */
export function createIsolate(app: string, memoryMb: number): ivm.Isolate {
  return new ivm.Isolate({
    memoryLimit: memoryMb,
    // isolated-vm: after this, V8 has lost control of the process. isolated-vm suggests abort();
    // SIGKILL ends it as surely without writing a core file, and the host replaces the worker,
    // blaming this app from the last words written (synchronously) first.
    onCatastrophicError: (message: string) => {
      lastWords({
        blame: app,
        reason: 'worker_crash',
        message: `V8 lost control of the app's isolate: ${String(message).slice(0, 200)}`,
      });
      process.kill(process.pid, 'SIGKILL');
    },
  });
}

/**
 * Sets up a new isolate's context and runs the guest runtime in it, before the app's bundle: the
 * dispatch's two callbacks (the only way out of the isolate), the app's boot data, and the
 * runtime's entry point. Only the host's own code is in the isolate yet, so this is synchronous (each
 * asynchronous step would be a trip to an isolate thread and back).
 */
export function installGuestRuntime(
  isolate: ivm.Isolate,
  guest: GuestCode,
  boot: AppBoot,
  timeout: number,
  dispatch: GuestDispatch,
): { context: ivm.Context; runtime: GuestRuntime } {
  const context = isolate.createContextSync();
  const global = context.global;
  global.setSync(
    GUEST_GLOBALS.send,
    new ivm.Callback((method: unknown, payload: unknown, callId: unknown) => dispatch(method, payload, callId, false)),
  );
  // `ignored`: the isolate queues the message for the worker's thread and runs on.
  global.setSync(
    GUEST_GLOBALS.post,
    new ivm.Callback(
      (method: unknown, payload: unknown, callId: unknown) => {
        dispatch(method, payload, callId, true);
      },
      { ignored: true },
    ),
  );
  global.setSync(GUEST_GLOBALS.boot, JSON.stringify(boot));
  // The script's completion value is the runtime's entry points (see guest-script.ts).
  const entries = guest.compile(isolate).runSync(context, { timeout, reference: true }) as ivm.Reference<
    Record<string, unknown>
  >;
  const entry = (name: keyof GuestEntryPoints): ivm.Reference => entries.getSync(name, { reference: true });
  return { context, runtime: { run: entry('run') } };
}
