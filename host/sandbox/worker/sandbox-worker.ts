/**
 * A sandbox worker process: it holds the isolates of the apps the host gave it and speaks only
 * the JSON messages of rpc-protocol.ts over its IPC channel. It is separate from the host because
 * some out-of-memory paths of isolated-vm end the whole process, and its memory limit does not
 * count everything; when this process dies, the host replaces it and restarts its apps.
 */
import {
  dispatchTo,
  type Batch,
  type Handlers,
  type HostToWorker,
  type WireError,
  type WorkerStats,
  type WorkerToHost,
} from '../rpc-protocol.js';
import { sandboxFailure } from '../wire-error.js';
import { AppIsolate } from './app-isolate.js';
import { EventFailure } from './event-failure.js';
import { GuestCode } from './guest-code.js';

const apps = new Map<string, AppIsolate>();
let guest: GuestCode | null = null;
const STOP_BUDGET_MS = 5_000;
/**
 * A call whose arguments are this long goes out at once, from within the app's dispatch, so the
 * worker's thread time to serialize and write it is charged to the app (app-isolate.ts) rather
 * than spent, uncounted, in a batch beside its neighbours' messages.
 */
const SEND_AT_ONCE_CHARS = 65_536;

let outbox: WorkerToHost[] = [];

function send(message: WorkerToHost): void {
  if (!process.connected) return;
  outbox.push(message);
  // After the loop's turn, not the task's: each message an isolate posts one-way arrives as a
  // task of its own, and flushing after each made one IPC write per message (16,000 writes a
  // second at 8,000 events/s, against 500 this way).
  if (outbox.length === 1) setImmediate(flush);
}

function flush(): void {
  const messages = outbox;
  outbox = [];
  if (!process.connected || messages.length === 0) return;
  try {
    process.send!(messages.length === 1 ? messages[0]! : ({ t: 'batch', messages } satisfies Batch<WorkerToHost>));
  } catch {
    // Every message was checked at the boundary; should one still not serialize, it alone fails
    // (with an answer, so nothing waits for it) and the others go out.
    for (const message of messages) sendAlone(message);
  }
}

/** Sends `message` now, after what is waiting (the order of messages is kept). */
function sendNow(message: WorkerToHost): void {
  if (!process.connected) return;
  flush();
  sendAlone(message);
}

function sendAlone(message: WorkerToHost): void {
  try {
    process.send!(message);
  } catch (err) {
    const error = sandboxFailure(
      'error',
      `A message could not cross to the host: ${String((err as Error)?.message ?? err).slice(0, 200)}`,
    );
    if (message.t === 'reply') process.send!({ t: 'reply', rid: message.rid, ok: false, error } satisfies WorkerToHost);
    else if (message.t === 'call') apps.get(message.app)?.resolveCall(message.callId, false, error);
  }
}

function reply(rid: number, result: Promise<unknown>): void {
  result.then(
    (value) => send({ t: 'reply', rid, ok: true, value: value ?? null }),
    (err: unknown) =>
      send({
        t: 'reply',
        rid,
        ok: false,
        error: err instanceof EventFailure ? err.toWire() : failureOf(err),
      }),
  );
}

function app(id: string): AppIsolate {
  const found = apps.get(id);
  if (!found) throw new EventFailure('error', `The app ${id} is not loaded in this worker.`);
  return found;
}

async function load(message: Extract<HostToWorker, { t: 'load' }>): Promise<unknown> {
  apps.get(message.app)?.dispose();
  const isolate = await AppIsolate.create(message.app, guest!, message.code, message.boot, message.limits, {
    call: (callId, method, args, chars) => {
      const call = { t: 'call', app: message.app, callId, method, args } as const;
      if (chars < SEND_AT_ONCE_CHARS) send(call);
      else sendNow(call);
    },
    log: (level, text, data) => send({ t: 'log', app: message.app, level, message: text, data }),
    release: (handler) => send({ t: 'release', app: message.app, handler }),
    crashed: (reason, text, threadBusy) => {
      if (apps.get(message.app) === isolate) apps.delete(message.app);
      send({ t: 'crashed', app: message.app, reason, message: text, threadBusy });
    },
    stuck: () => send({ t: 'stuck', app: message.app }),
  });
  apps.set(message.app, isolate);
  try {
    return await isolate.start();
  } catch (err) {
    isolate.dispose();
    apps.delete(message.app);
    throw err;
  }
}

async function unload(id: string): Promise<null> {
  const isolate = apps.get(id);
  if (!isolate) return null;
  apps.delete(id);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      isolate.stop(),
      new Promise((resolve) => {
        timer = setTimeout(resolve, STOP_BUDGET_MS);
      }),
    ]);
  } catch {
    // A stop() that throws still ends the app.
  } finally {
    clearTimeout(timer);
    isolate.dispose();
  }
  return null;
}

async function stats(): Promise<WorkerStats> {
  const figures = await Promise.all([...apps.values()].map((a) => a.stats()));
  return { pid: process.pid, rssBytes: process.memoryUsage.rss(), apps: figures };
}

const handlers: Handlers<HostToWorker> = {
  init: (m) => {
    guest = new GuestCode(m.guest);
    send({ t: 'ready' });
  },
  load: (m) => reply(m.rid, load(m)),
  invoke: (m) =>
    reply(
      m.rid,
      Promise.resolve().then(() => app(m.app).invoke(m.handler, m.args, m.payer)),
    ),
  unload: (m) => reply(m.rid, unload(m.app)),
  ret: (m) => apps.get(m.app)?.resolveCall(m.callId, m.ok, m.ok ? m.value : m.error),
  ping: (m) => reply(m.rid, Promise.resolve().then(stats)),
};

process.on('message', (message: HostToWorker | Batch<HostToWorker>) => {
  if (message.t === 'batch') for (const m of message.messages) receive(m);
  else receive(message);
});

function receive(message: HostToWorker): void {
  try {
    dispatchTo(handlers, message);
  } catch (err) {
    if ('rid' in message) send({ t: 'reply', rid: message.rid, ok: false, error: failureOf(err) });
  }
}

function failureOf(err: unknown): WireError {
  return sandboxFailure('error', String((err as Error)?.message ?? err).slice(0, 500));
}

// The host is gone: nothing here may outlive it.
process.on('disconnect', () => process.exit(0));

// SCRATCH PROFILE
if (process.env.SB_WORKER_PROF) {
  const { Session } = await import('node:inspector/promises');
  const { writeFileSync } = await import('node:fs');
  const s = new Session();
  s.connect();
  await s.post('Profiler.enable');
  await s.post('Profiler.setSamplingInterval', { interval: 200 });
  await s.post('Profiler.start');
  setTimeout(
    async () => {
      const { profile } = await s.post('Profiler.stop');
      writeFileSync(`${process.env.SB_WORKER_PROF}/worker-${process.pid}.cpuprofile`, JSON.stringify(profile));
    },
    Number(process.env.SB_WORKER_PROF_MS ?? 15000),
  ).unref();
}
