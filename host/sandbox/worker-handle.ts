import { fork, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import {
  LAST_WORDS_FD,
  dispatchTo,
  handles,
  type AppFailureReason,
  type AppNotice,
  type Batch,
  type Handlers,
  type HostToWorker,
  type LastWords,
  type WireError,
  type WorkerNotice,
  type WorkerRequest,
  type WorkerStats,
  type WorkerToHost,
} from './rpc-protocol.js';
import { sandboxFailure } from './wire-error.js';

const LAUNCHER = fileURLToPath(new URL('./worker/launch-worker.mjs', import.meta.url));

/** A reply that failed; `wire` is what the worker said. */
export class WorkerReplyError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

/** Who the host holds to account for a worker's end, and why. */
export interface Blame {
  app: string;
  reason: AppFailureReason;
  message: string;
}

/**
 * The host's end of one worker process: requests with replies, one-way notices, and the exit.
 * Everything is JSON over the IPC channel, but for the worker's last words: a line on a pipe of
 * its own, written synchronously when V8 gives up, naming the app whose isolate it was.
 */
export class WorkerHandle {
  readonly apps = new Set<string>();
  lastStats: WorkerStats | null = null;
  /** The latest figures while under the memory cap, and whether a ping has found it over since. */
  underCapStats: WorkerStats | null = null;
  overCapSeen = false;
  exited = false;
  /** Why the host killed it, when it did. */
  killReason: AppFailureReason | null = null;
  /** The app whose doing the worker's end was, when that is known. */
  blame: Blame | null = null;
  /** Set when the worker runs one app only, by quarantine or by the per-app isolation setting. */
  dedicatedTo: string | null = null;
  /** The app whose isolate was last disposed for memory in this worker, and when: a crash soon after is likely its. */
  lastCrash: { app: string; at: number } | null = null;
  /** Why the worker cannot run apps, when it said so before ending. */
  fatal: string | null = null;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<
    number,
    { app: string | null; since: number; resolve(v: unknown): void; reject(e: Error): void }
  >();
  private nextRid = 1;
  private outbox: HostToWorker[] = [];
  readonly ready: Promise<void>;

  constructor(
    guest: string,
    heapMb: number,
    onMessage: (worker: WorkerHandle, message: AppNotice) => void,
    onExit: (worker: WorkerHandle, why: string) => void,
    options: { niceness?: number } = {},
  ) {
    this.child = fork(LAUNCHER, [String(options.niceness ?? 0)], {
      execArgv: ['--no-node-snapshot', `--max-old-space-size=${heapMb}`],
      serialization: 'json',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc', 'pipe'],
    });
    let markReady: () => void;
    let failReady: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    // Awaited by workerFor, which says why; a worker nobody waits for must not be an unhandled rejection.
    this.ready.catch(() => {});
    const own: Handlers<WorkerNotice> = {
      ready: () => markReady(),
      fatal: (m) => {
        this.fatal = m.message;
      },
      reply: (m) => {
        const waiter = this.waiting.get(m.rid);
        if (!waiter) return;
        this.waiting.delete(m.rid);
        if (m.ok) waiter.resolve(m.value);
        else waiter.reject(new WorkerReplyError(m.error!));
      },
    };
    const receive = (message: WorkerToHost): void => {
      if (handles(own, message)) dispatchTo(own, message);
      else onMessage(this, message);
    };
    this.child.on('message', (message: WorkerToHost | Batch<WorkerToHost>) => {
      if (message.t === 'batch') for (const m of message.messages) receive(m);
      else receive(message);
    });
    const lastWords = this.child.stdio[LAST_WORDS_FD] as Readable | null;
    if (lastWords) createInterface({ input: lastWords }).on('line', (line) => this.heard(line));
    // 'close' comes after the pipes are drained, so last words written just before the end are in.
    this.child.on('close', (code, signal) => {
      this.exited = true;
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      failReady(new SwitchboardError('unavailable', `A sandbox worker ${why} while starting.`));
      onExit(this, why);
      for (const waiter of this.waiting.values())
        waiter.reject(
          new WorkerReplyError(sandboxFailure(this.killReason ?? 'worker_crash', `The app's worker process ${why}.`)),
        );
      this.waiting.clear();
    });
    this.child.on('error', () => {
      /* a close follows */
    });
    this.post({ t: 'init', guest });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The app whose request has waited longest for the worker, if any is waiting. */
  oldestBusyApp(): string | null {
    let oldest: { app: string | null; since: number } | null = null;
    for (const waiter of this.waiting.values())
      if (waiter.app && (!oldest || waiter.since < oldest.since)) oldest = waiter;
    return oldest?.app ?? null;
  }

  request<T = unknown>(message: WorkerRequest, timeoutMs?: number): Promise<T> {
    if (this.exited)
      return Promise.reject(new WorkerReplyError(sandboxFailure('worker_crash', "The app's worker process is gone.")));
    const rid = this.nextRid++;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiting.delete(rid);
          reject(
            new WorkerReplyError(
              sandboxFailure('unresponsive', `The worker did not answer within ${timeoutMs} ms.`, 'plugin_timeout'),
            ),
          );
        }, timeoutMs);
      }
      this.waiting.set(rid, {
        app: 'app' in message && message.t !== 'unload' ? message.app : null,
        since: Date.now(),
        resolve: (v) => {
          clearTimeout(timer);
          resolve(v as T);
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.post({ ...message, rid });
    });
  }

  post(message: HostToWorker): void {
    if (this.exited || !this.child.connected) return;
    this.outbox.push(message);
    if (this.outbox.length === 1) queueMicrotask(() => this.flush());
  }

  /** Ends the worker; `blame` names the app held to account, when the host knows it. */
  kill(reason?: AppFailureReason, blame?: Blame): void {
    if (this.exited) return;
    this.killReason ??= reason ?? null;
    this.blame ??= blame ?? null;
    this.child.kill('SIGKILL');
  }

  private heard(line: string): void {
    try {
      const words = JSON.parse(line) as LastWords;
      if (typeof words.blame === 'string')
        this.blame ??= {
          app: words.blame,
          reason: words.reason ?? 'worker_crash',
          message: String(words.message ?? ''),
        };
    } catch {
      // Not last words: nothing else writes to this pipe.
    }
  }

  private flush(): void {
    const messages = this.outbox;
    this.outbox = [];
    if (this.exited || !this.child.connected || messages.length === 0) return;
    this.child.send(messages.length === 1 ? messages[0]! : { t: 'batch', messages });
  }
}
