import ivm from 'isolated-vm';
import { GUEST_GLOBALS, type AppBoot, type GuestEntryPoints } from '../rpc-protocol.js';
import type { GuestCode } from './guest-code.js';
import type { GuestDispatch } from './guest-dispatch.js';
import { wallBackstopMs, watchEntry } from './entry-watch.js';
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
  budgetMs: number,
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
  // Only the host's own code runs here: the wall-clock cut-off is a backstop, as for entries.
  const entries = guest
    .compile(isolate)
    .runSync(context, { timeout: wallBackstopMs(budgetMs), reference: true }) as ivm.Reference<Record<string, unknown>>;
  const entry = (name: keyof GuestEntryPoints): ivm.Reference => entries.getSync(name, { reference: true });
  return { context, runtime: { run: entry('run') } };
}

/**
 * Runs the app's bundle in its context, under its CPU budget as every entry after it: counted by
 * the isolate's own CPU time (entry-watch.ts), not by the wall clock, so a machine busy with
 * other work does not fail a healthy app's start, while a bundle that spins is stopped (its
 * isolate disposed) once it has used the budget.
 */
export async function runBundle(
  isolate: ivm.Isolate,
  context: ivm.Context,
  code: string,
  budgetMs: number,
  stuck: () => void,
): Promise<void> {
  let spent = false;
  const watch = watchEntry({
    cpuNow: () => (isolate.isDisposed ? null : isolate.cpuTime),
    budgetMs,
    overBudget: () => {
      spent = true;
      isolate.dispose();
    },
    // The load fails when the eval gives its thread back; if it never does, `stuck` ends the worker.
    disposed: () => {},
    stuck,
  });
  try {
    // Compiled and run in one trip to the isolate's thread.
    await context.eval(code, { filename: 'app.js', timeout: wallBackstopMs(budgetMs) });
  } catch (err) {
    if (spent) throw new Error(`it ran past its ${budgetMs} ms CPU budget`, { cause: err });
    throw err;
  } finally {
    watch.done();
  }
}
