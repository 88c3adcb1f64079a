import ivm from 'isolated-vm';
import type { AppLimits } from '../../../sdk/app/app-limits.js';
import { CAPABILITY_METHODS } from '../../../sdk/app/capability-methods.js';
import type { AppBoot, AppFailureReason, AppStats, WireError } from '../rpc-protocol.js';
import { withoutPaths } from '../wire-error.js';

/** What an isolate needs from the worker around it. */
export interface IsolateOutbox {
  call(callId: number, method: string, args: unknown[]): void;
  log(level: string, message: string, data: unknown): void;
  release(handlerId: number): void;
  /** The isolate is gone; every event of it has failed. */
  crashed(reason: AppFailureReason, message: string): void;
}

/** A failed event: why, in words an operator (and the app) can read. */
export class EventFailure extends Error {
  constructor(readonly reason: AppFailureReason, message: string) {
    super(message);
  }

  toWire(): WireError {
    return { name: 'SandboxError', code: 'plugin_failed', message: this.message, reason: this.reason };
  }
}

interface EventState {
  resolve(value: unknown): void;
  reject(err: EventFailure): void;
  timer: NodeJS.Timeout;
  cpuStart: bigint;
}

interface Runtime { start: ivm.Reference; stop: ivm.Reference; invoke: ivm.Reference; resolve: ivm.Reference }

const MAX_PAYLOAD_CHARS = 1_048_576;
const WATCHDOG_GRACE_MS = 1_000;
const MINUTE_MS = 60_000;
const NS_PER_MS = 1_000_000n;
const HOST_OBJECTS = 'delete globalThis.WebAssembly; delete globalThis.SharedArrayBuffer; delete globalThis.Atomics;';

/**
 * One app in its own isolate: every entry into it is bounded by the app's CPU budget, each event
 * by its wall-clock deadline (a watchdog disposes an isolate that will not stop), and its host
 * calls by the pending-call limit. The only way out of the isolate is the dispatch callback.
 */
export class AppIsolate {
  private readonly isolate: ivm.Isolate;
  private context!: ivm.Context;
  private runtime!: Runtime;
  private readonly events = new Map<number, EventState>();
  private readonly pendingCalls = new Set<number>();
  /** The isolate's total CPU time after each entry; the oldest is at or before the minute's start. */
  private readonly cpuSamples: { at: number; total: bigint }[] = [{ at: Date.now(), total: 0n }];
  private nextEvent = 1;
  private nextCall = 1;
  private running = 0;
  private disposed = false;
  private eventCount = 0;
  private failedEvents = 0;

  private constructor(readonly app: string, private readonly limits: AppLimits, private readonly outbox: IsolateOutbox) {
    this.isolate = new ivm.Isolate({
      memoryLimit: limits.memoryMb,
      // isolated-vm: after this, V8 has lost control of the process. isolated-vm suggests abort();
      // SIGKILL ends it as surely without writing a core file, and the host replaces the worker.
      onCatastrophicError: () => process.kill(process.pid, 'SIGKILL'),
    });
  }

  /** Creates the isolate, runs the guest runtime and the app's bundle; start() runs the app. */
  static async create(app: string, guest: string, code: string, boot: AppBoot, limits: AppLimits, outbox: IsolateOutbox): Promise<AppIsolate> {
    const self = new AppIsolate(app, limits, outbox);
    try {
      await self.load(guest, code, boot);
    } catch (err) {
      self.dispose();
      throw new EventFailure('start_failed', `The app bundle failed to load: ${messageOf(err)}`);
    }
    return self;
  }

  start(): Promise<unknown> {
    return this.event((id) => this.enter(this.runtime.start, [id]));
  }

  stop(): Promise<unknown> {
    return this.event((id) => this.enter(this.runtime.stop, [id]));
  }

  invoke(handlerId: number, args: unknown[]): Promise<unknown> {
    return this.event((id) => this.enter(this.runtime.invoke, [id, handlerId, JSON.stringify(args)]));
  }

  /** The host answered a call: resume the code that awaits it, under the same CPU bound. */
  resolveCall(callId: number, ok: boolean, payload: unknown): void {
    if (!this.pendingCalls.delete(callId) || this.disposed) return;
    void this.enter(this.runtime.resolve, [callId, ok, JSON.stringify(payload ?? null)]);
  }

  stats(): AppStats {
    let heap: ivm.HeapStatistics | null = null;
    try {
      heap = this.disposed ? null : this.isolate.getHeapStatisticsSync();
    } catch {
      // isolated-vm hands an app's unhandled rejection to whatever enters the isolate next.
    }
    return {
      app: this.app,
      cpuMs: this.disposed ? 0 : Number(this.isolate.cpuTime / NS_PER_MS),
      cpuMsLastMinute: Number(this.cpuLastMinute() / NS_PER_MS),
      heapUsedBytes: heap ? heap.used_heap_size + heap.externally_allocated_size : 0,
      heapLimitBytes: this.limits.memoryMb * 1_048_576,
      events: this.eventCount,
      failedEvents: this.failedEvents,
      pendingCalls: this.pendingCalls.size,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }

  private async load(guest: string, code: string, boot: AppBoot): Promise<void> {
    this.context = await this.isolate.createContext();
    const global = this.context.global;
    await this.context.eval(HOST_OBJECTS);
    await global.set('__sb_send', new ivm.Callback((method: string, payload: string) => this.onSend(method, payload)));
    await global.set('__sb_boot', JSON.stringify(boot));
    const timeout = this.limits.cpuMsPerEvent;
    await this.context.eval(guest, { timeout, filename: 'switchboard-runtime.js' });
    const runtime = (await global.get('__sb_runtime', { reference: true })) as ivm.Reference<Record<string, unknown>>;
    this.runtime = {
      start: await runtime.get('start', { reference: true }),
      stop: await runtime.get('stop', { reference: true }),
      invoke: await runtime.get('invoke', { reference: true }),
      resolve: await runtime.get('resolve', { reference: true }),
    };
    await this.context.eval('delete globalThis.__sb_runtime');
    const script = await this.isolate.compileScript(code, { filename: 'app.js' });
    await script.run(this.context, { timeout });
  }

  /** Starts an event and settles when the app reports it done, or when a limit stops it. */
  private event(begin: (id: number) => Promise<void>): Promise<unknown> {
    if (this.disposed) return Promise.reject(new EventFailure('memory', 'The app is restarting.'));
    const used = this.cpuLastMinute();
    if (used > BigInt(this.limits.cpuMsPerMinute) * NS_PER_MS) {
      this.failedEvents++;
      return Promise.reject(new EventFailure('cpu_minute_limit', `The app used ${used / NS_PER_MS} ms of CPU in the last minute; its limit is ${this.limits.cpuMsPerMinute} ms.`));
    }
    const id = this.nextEvent++;
    this.eventCount++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.deadlinePassed(id), this.limits.eventTimeoutMs);
      this.events.set(id, { resolve, reject, timer, cpuStart: this.isolate.cpuTime });
      void begin(id);
    });
  }

  private finish(id: number, ok: boolean, value: unknown): void {
    const event = this.events.get(id);
    if (!event) return;
    this.events.delete(id);
    clearTimeout(event.timer);
    if (ok) {
      event.resolve(value);
    } else {
      const wire = value as WireError;
      this.failedEvents++;
      event.reject(new EventFailure('error', `${wire?.name ?? 'Error'}: ${withoutPaths(String(wire?.message ?? 'failed'))}`));
    }
  }

  private fail(id: number, failure: EventFailure): void {
    const event = this.events.get(id);
    if (!event) return;
    this.events.delete(id);
    clearTimeout(event.timer);
    this.failedEvents++;
    event.reject(failure);
  }

  private failAll(failure: EventFailure): void {
    for (const id of [...this.events.keys()]) this.fail(id, failure);
  }

  private deadlinePassed(id: number): void {
    const failure = new EventFailure('timeout', `The event ran past its ${this.limits.eventTimeoutMs} ms deadline.`);
    if (this.running > 0 || this.pendingCalls.size > 0) {
      // Still executing, or still calling the host, past the deadline: that work would go on
      // without end, so stop it the only sure way and let the host restart the app.
      this.crash('timeout', failure.message);
      return;
    }
    this.fail(id, failure);
  }

  /** One entry into the isolate, cut off at the CPU budget; a watchdog backs the cut-off up. */
  private async enter(fn: ivm.Reference, args: unknown[]): Promise<void> {
    if (this.disposed) return;
    this.running++;
    const watchdog = setTimeout(() => this.crash('unresponsive', 'The app did not stop when its CPU budget ran out.'), this.limits.cpuMsPerEvent + WATCHDOG_GRACE_MS);
    try {
      await fn.apply(undefined, args, { timeout: this.limits.cpuMsPerEvent, arguments: { copy: true } });
    } catch (err) {
      if (this.disposed || this.isolate.isDisposed) {
        this.crash('memory', `The isolate was disposed: ${messageOf(err)}`);
      } else if (/timed out/i.test(messageOf(err))) {
        // Cut off mid-run, the isolate may hold runaway work (a microtask loop resumes at the next
        // entry), so it is recreated rather than trusted again.
        this.crash('cpu_limit', `The app ran past its ${this.limits.cpuMsPerEvent} ms CPU budget.`);
      } else {
        // The guest settles every event itself, so this is a promise the app let reject unhandled.
        this.outbox.log('error', `unhandled rejection in the app: ${messageOf(err)}`, null);
      }
    } finally {
      clearTimeout(watchdog);
      this.running--;
      if (!this.disposed && !this.isolate.isDisposed) this.account();
    }
  }

  private account(): void {
    const cpu = this.isolate.cpuTime;
    this.cpuSamples.push({ at: Date.now(), total: cpu });
    const budget = BigInt(this.limits.cpuMsPerEvent) * NS_PER_MS;
    for (const [id, event] of this.events) {
      if (cpu - event.cpuStart > budget) this.fail(id, new EventFailure('cpu_limit', `The event used more than its ${this.limits.cpuMsPerEvent} ms CPU budget.`));
    }
  }

  private cpuLastMinute(): bigint {
    const since = Date.now() - MINUTE_MS;
    while (this.cpuSamples.length > 1 && this.cpuSamples[1]!.at <= since) this.cpuSamples.shift();
    const latest = this.disposed ? this.cpuSamples[this.cpuSamples.length - 1]!.total : this.isolate.cpuTime;
    return latest - this.cpuSamples[0]!.total;
  }

  private crash(reason: AppFailureReason, message: string): void {
    if (this.disposed && this.events.size === 0) return;
    const wasDisposed = this.disposed;
    this.dispose();
    // The host hears of the crash before the events it ended, so it counts one failure.
    if (!wasDisposed) this.outbox.crashed(reason, message);
    this.failAll(new EventFailure(reason, message));
    this.pendingCalls.clear();
  }

  /**
   * The single dispatch callback. It runs synchronously while the isolate waits, so it never
   * throws (a thrown host error would carry host stack frames into the isolate): it answers
   * JSON, an id or an error.
   */
  private onSend(method: unknown, payload: unknown): string {
    try {
      if (typeof method !== 'string' || typeof payload !== 'string') return refusal('error', 'Malformed call.');
      if (payload.length > MAX_PAYLOAD_CHARS) return refusal('pending_limit', `The call's arguments are ${payload.length} characters; at most ${MAX_PAYLOAD_CHARS} cross.`);
      const args = JSON.parse(payload) as unknown;
      if (!Array.isArray(args)) return refusal('error', 'Malformed call.');
      switch (method) {
        case '$done':
          this.finish(Number(args[0]), args[1] === true, args[2]);
          return '{}';
        case '$log':
          this.outbox.log(String(args[0]), String(args[1]).slice(0, 2000), args[2]);
          return '{}';
        case '$release':
          this.outbox.release(Number(args[0]));
          return '{}';
      }
      if (!Object.prototype.hasOwnProperty.call(CAPABILITY_METHODS, method)) return refusal('error', `There is no capability ${method.slice(0, 64)}.`);
      if (this.pendingCalls.size >= this.limits.maxPendingCalls) {
        return refusal('pending_limit', `The app has ${this.pendingCalls.size} host calls in flight, its limit.`, 'sandbox_limit');
      }
      const callId = this.nextCall++;
      this.pendingCalls.add(callId);
      this.outbox.call(callId, method, args);
      return JSON.stringify({ id: callId });
    } catch {
      return refusal('error', 'The call could not be read.');
    }
  }
}

function refusal(reason: AppFailureReason, message: string, code = 'invalid_request'): string {
  return JSON.stringify({ error: { name: 'SwitchboardError', code, message, reason } });
}

function messageOf(err: unknown): string {
  return withoutPaths(String((err as Error)?.message ?? err)).slice(0, 500);
}
