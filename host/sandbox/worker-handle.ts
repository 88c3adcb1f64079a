import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { AppFailureReason, Batch, HostToWorker, WireError, WorkerStats, WorkerToHost } from './rpc-protocol.js';

const LAUNCHER = fileURLToPath(new URL('./worker/launch-worker.mjs', import.meta.url));

type Request = HostToWorker extends infer M ? M extends { rid: number } ? Omit<M, 'rid'> : never : never;

/** A reply that failed; `wire` is what the worker said. */
export class WorkerReplyError extends Error {
  constructor(readonly wire: WireError) {
    super(wire.message);
  }
}

/**
 * The host's end of one worker process: requests with replies, one-way notices, and the exit.
 * Everything is JSON over the IPC channel.
 */
export class WorkerHandle {
  readonly apps = new Set<string>();
  lastStats: WorkerStats | null = null;
  exited = false;
  /** Why the host killed it, when it did. */
  killReason: AppFailureReason | null = null;
  private readonly child: ChildProcess;
  private readonly waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  private nextRid = 1;
  private outbox: HostToWorker[] = [];
  readonly ready: Promise<void>;

  constructor(guest: string, heapMb: number, onMessage: (worker: WorkerHandle, message: WorkerToHost) => void, onExit: (worker: WorkerHandle, why: string) => void) {
    this.child = fork(LAUNCHER, [], {
      execArgv: ['--no-node-snapshot', `--max-old-space-size=${heapMb}`],
      serialization: 'json',
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let markReady: () => void;
    let failReady: (e: Error) => void;
    this.ready = new Promise((resolve, reject) => { markReady = resolve; failReady = reject; });
    this.ready.catch(() => {});
    const receive = (message: WorkerToHost): void => {
      if (message.t === 'ready') return markReady();
      if (message.t === 'reply') {
        const waiter = this.waiting.get(message.rid);
        if (!waiter) return;
        this.waiting.delete(message.rid);
        if (message.ok) waiter.resolve(message.value);
        else waiter.reject(new WorkerReplyError(message.error!));
        return;
      }
      onMessage(this, message);
    };
    this.child.on('message', (message: WorkerToHost | Batch<WorkerToHost>) => {
      if (message.t === 'batch') for (const m of message.messages) receive(m);
      else receive(message);
    });
    this.child.on('exit', (code, signal) => {
      this.exited = true;
      const why = signal ? `killed by ${signal}` : `exited with code ${code}`;
      failReady(new SwitchboardError('unavailable', `A sandbox worker ${why} while starting.`));
      for (const waiter of this.waiting.values()) waiter.reject(new WorkerReplyError({ name: 'SandboxError', code: 'plugin_failed', message: `The app's worker process ${why}.`, reason: this.killReason ?? 'worker_crash' }));
      this.waiting.clear();
      onExit(this, why);
    });
    this.child.on('error', () => { /* an exit follows */ });
    this.post({ t: 'init', guest } as never);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  request<T = unknown>(message: Request, timeoutMs?: number): Promise<T> {
    if (this.exited) return Promise.reject(new WorkerReplyError({ name: 'SandboxError', code: 'plugin_failed', message: "The app's worker process is gone.", reason: 'worker_crash' }));
    const rid = this.nextRid++;
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined;
      if (timeoutMs !== undefined) {
        timer = setTimeout(() => {
          this.waiting.delete(rid);
          reject(new WorkerReplyError({ name: 'SandboxError', code: 'plugin_timeout', message: `The worker did not answer within ${timeoutMs} ms.`, reason: 'unresponsive' }));
        }, timeoutMs);
      }
      this.waiting.set(rid, {
        resolve: (v) => { clearTimeout(timer); resolve(v as T); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.post({ ...message, rid } as HostToWorker);
    });
  }

  post(message: HostToWorker): void {
    if (this.exited || !this.child.connected) return;
    this.outbox.push(message);
    if (this.outbox.length === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const messages = this.outbox;
    this.outbox = [];
    if (this.exited || !this.child.connected || messages.length === 0) return;
    this.child.send(messages.length === 1 ? messages[0]! : { t: 'batch', messages });
  }

  kill(reason?: AppFailureReason): void {
    if (this.exited) return;
    this.killReason ??= reason ?? null;
    this.child.kill('SIGKILL');
  }
}
