import ivm from 'isolated-vm';
import type { AppLimits } from '../../../sdk/app/app-limits.js';
import type { CapabilityMethod } from '../../../sdk/app/capability-methods.js';
import {
  GUEST_GLOBALS,
  dispatchTo,
  type AppBoot,
  type AppFailureReason,
  type AppStats,
  type GuestEntryPoints,
  type GuestMessage,
  type Handlers,
  type LogLevel,
  type SendReply,
  type WireError,
} from '../rpc-protocol.js';
import { readRefusal, withoutPaths } from '../wire-error.js';
import { CallGate } from './call-gate.js';
import { CpuLedger, NS_PER_MS } from './cpu-ledger.js';
import { lastWords } from './last-words.js';
import { EventFailure } from './event-failure.js';
import { wallBackstopMs, watchEntry } from './entry-watch.js';
import { HeapFigures } from './heap-figures.js';
import type { GuestCode } from './guest-code.js';

/** What an isolate needs from the worker around it. */
export interface IsolateOutbox {
  call(callId: number, method: CapabilityMethod, args: unknown[]): void;
  log(level: LogLevel, message: string, data: unknown): void;
  release(handlerId: number): void;
  /** The isolate is gone; every event of it has failed. */
  crashed(reason: AppFailureReason, message: string, threadBusy: boolean): void;
  /** Disposal did not free the isolate's thread: only the worker's end will. */
  stuck(): void;
}

interface EventState {
  resolve(value: unknown): void;
  reject(err: EventFailure): void;
  timer: NodeJS.Timeout;
  cpuStart: bigint;
}

type Runtime = { readonly [K in keyof GuestEntryPoints]: ivm.Reference };

/** Events in a row that time out before the app's isolate is recreated (its runtime may be broken). */
const MAX_TIMEOUTS_IN_A_ROW = 3;

/**
 * One app in its own isolate: every entry into it is bounded by the CPU it uses (entry-watch.ts),
 * each event by its wall-clock deadline, all of its work (events or not) by its CPU per minute,
 * and its host calls by the call gate. The only way out of the isolate is the dispatch callback.
 */
export class AppIsolate {
  private readonly isolate: ivm.Isolate;
  private context!: ivm.Context;
  private runtime!: Runtime;
  private readonly events = new Map<number, EventState>();
  private readonly cpu = new CpuLedger(() => (this.disposed || this.isolate.isDisposed ? null : this.isolate.cpuTime));
  private readonly gate: CallGate;
  private readonly heap: HeapFigures;
  /** What each message out of the isolate does; the answer goes back to the app as JSON. */
  private readonly received: Handlers<GuestMessage, string> = {
    done: (m) => {
      this.finish(m.eventId, m.ok, m.value);
      return '{}';
    },
    log: (m) => {
      this.outbox.log(m.level, m.message, m.data);
      return '{}';
    },
    release: (m) => {
      this.outbox.release(m.handler);
      return '{}';
    },
    call: (m) => {
      this.outbox.call(m.callId, m.method, m.args);
      return JSON.stringify({ id: m.callId } satisfies SendReply);
    },
  };
  private nextEvent = 1;
  private running = 0;
  private disposed = false;
  private eventCount = 0;
  private failedEvents = 0;
  private timeoutsInARow = 0;

  private constructor(
    readonly app: string,
    private readonly limits: AppLimits,
    private readonly outbox: IsolateOutbox,
  ) {
    this.isolate = new ivm.Isolate({
      memoryLimit: limits.memoryMb,
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
    this.heap = new HeapFigures(this.isolate);
    this.gate = new CallGate(limits, {
      eventOpen: () => this.events.size > 0,
      cpuSpent: () => this.cpu.spent(limits.cpuMsPerMinute),
    });
  }

  /** Creates the isolate, runs the guest runtime and the app's bundle; start() runs the app. */
  static async create(
    app: string,
    guest: GuestCode,
    code: string,
    boot: AppBoot,
    limits: AppLimits,
    outbox: IsolateOutbox,
  ): Promise<AppIsolate> {
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
    if (!this.gate.pending.delete(callId) || this.disposed) return;
    if (this.events.size === 0 && this.cpu.spent(this.limits.cpuMsPerMinute)) {
      // Work no event is waiting for, past the minute's budget: stop it, not just its next call.
      this.crash(
        'cpu_limit',
        `Work outside the app's events used its ${this.limits.cpuMsPerMinute} ms of CPU for the minute; the app was stopped.`,
      );
      return;
    }
    void this.enter(this.runtime.resolve, [callId, ok, JSON.stringify(payload ?? null)]);
  }

  async stats(): Promise<AppStats> {
    const heap = await this.heap.read();
    return {
      app: this.app,
      cpuMs: this.disposed ? 0 : Number(this.isolate.cpuTime / NS_PER_MS),
      cpuMsLastMinute: Number(this.cpu.lastMinute() / NS_PER_MS),
      heapUsedBytes: this.disposed ? 0 : heap.used,
      externalBytes: this.disposed ? 0 : heap.external,
      heapLimitBytes: this.limits.memoryMb * 1_048_576,
      events: this.eventCount,
      failedEvents: this.failedEvents,
      pendingCalls: this.gate.pending.size,
    };
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (!this.isolate.isDisposed) this.isolate.dispose();
  }

  /**
   * Until the app's bundle runs, only the host's own code is in the new isolate, so its set-up
   * is synchronous (each asynchronous step would be a trip to an isolate thread and back). The
   * app's bundle runs asynchronously, under its CPU bound, like every entry after.
   */
  private async load(guest: GuestCode, code: string, boot: AppBoot): Promise<void> {
    this.context = this.isolate.createContextSync();
    const global = this.context.global;
    global.setSync(
      GUEST_GLOBALS.send,
      new ivm.Callback((method: string, payload: string) => this.onSend(method, payload)),
    );
    global.setSync(GUEST_GLOBALS.boot, JSON.stringify(boot));
    const timeout = this.limits.cpuMsPerEvent;
    // The script's completion value is the runtime's entry points (see guest-script.ts).
    const runtime = guest.compile(this.isolate).runSync(this.context, { timeout, reference: true }) as ivm.Reference<
      Record<string, unknown>
    >;
    const entry = (name: keyof GuestEntryPoints): ivm.Reference => runtime.getSync(name, { reference: true });
    this.runtime = { start: entry('start'), stop: entry('stop'), invoke: entry('invoke'), resolve: entry('resolve') };
    // Compiled and run in one trip to the isolate's thread.
    await this.context.eval(code, { filename: 'app.js', timeout });
  }

  /** Starts an event and settles when the app reports it done, or when a limit stops it. */
  private event(begin: (id: number) => Promise<void>): Promise<unknown> {
    if (this.disposed) return Promise.reject(new EventFailure('memory', 'The app is restarting.'));
    const used = this.cpu.lastMinute();
    if (used > BigInt(this.limits.cpuMsPerMinute) * NS_PER_MS) {
      this.failedEvents++;
      return Promise.reject(
        new EventFailure(
          'cpu_minute_limit',
          `The app used ${used / NS_PER_MS} ms of CPU in the last minute; its limit is ${this.limits.cpuMsPerMinute} ms.`,
        ),
      );
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
    this.timeoutsInARow = 0;
    if (ok) {
      event.resolve(value);
    } else {
      const wire = value as WireError;
      // The app's own refusal is an answer, not a failure of the app: it is not counted.
      const refusal = readRefusal(value);
      if (!refusal) this.failedEvents++;
      event.reject(
        new EventFailure(
          'error',
          `${wire?.name ?? 'Error'}: ${withoutPaths(String(wire?.message ?? 'failed'))}`,
          refusal ?? undefined,
        ),
      );
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
    if (this.running > 0 || this.gate.pending.size > 0) {
      // Still executing, or still calling the host, past the deadline: that work would go on
      // without end, so stop it the only sure way and let the host restart the app.
      this.crash('timeout', failure.message);
      return;
    }
    if (++this.timeoutsInARow >= MAX_TIMEOUTS_IN_A_ROW) {
      // Idle yet never settling: the app may have broken its own runtime (a patched Promise
      // method); a new isolate is the only repair.
      this.crash(
        'timeout',
        `${MAX_TIMEOUTS_IN_A_ROW} events in a row ran past their ${this.limits.eventTimeoutMs} ms deadline; the app's isolate is recreated.`,
      );
      return;
    }
    this.fail(id, failure);
  }

  /** One entry into the isolate, cut off at the CPU budget; a watchdog backs the cut-off up. */
  private async enter(fn: ivm.Reference, args: unknown[]): Promise<void> {
    if (this.disposed) return;
    this.running++;
    const budgetMs = this.limits.cpuMsPerEvent;
    const watch = watchEntry({
      cpuNow: () => (this.disposed || this.isolate.isDisposed ? null : this.isolate.cpuTime),
      budgetMs,
      // Cut off mid-run, the isolate may hold runaway work (a microtask loop resumes at the next
      // entry), so it is recreated rather than trusted again.
      overBudget: () => this.crash('cpu_limit', `The app ran past its ${budgetMs} ms CPU budget.`),
      // A builtin that ignores termination (indexOf over a huge array-like) keeps the thread
      // even after disposal; the worker must then end, and this app is to blame.
      stuck: () => this.outbox.stuck(),
    });
    try {
      await fn.apply(undefined, args, { timeout: wallBackstopMs(budgetMs), arguments: { copy: true } });
    } catch (err) {
      if (this.disposed || this.isolate.isDisposed) {
        this.crash('memory', `The isolate was disposed: ${messageOf(err)}`);
      } else if (/timed out/i.test(messageOf(err))) {
        this.crash(
          'cpu_limit',
          `The app ran for ${wallBackstopMs(budgetMs)} ms of wall-clock time on its ${budgetMs} ms CPU budget.`,
        );
      } else {
        // The guest settles every event itself, so this is a promise the app let reject unhandled.
        this.outbox.log('error', `unhandled rejection in the app: ${messageOf(err)}`, null);
      }
    } finally {
      watch.done();
      this.running--;
      if (!this.disposed && !this.isolate.isDisposed) this.account();
    }
  }

  private account(): void {
    const cpu = this.isolate.cpuTime;
    this.cpu.sample();
    const budget = BigInt(this.limits.cpuMsPerEvent) * NS_PER_MS;
    for (const [id, event] of this.events) {
      if (cpu - event.cpuStart > budget)
        this.fail(
          id,
          new EventFailure('cpu_limit', `The event used more than its ${this.limits.cpuMsPerEvent} ms CPU budget.`),
        );
    }
  }

  private crash(reason: AppFailureReason, message: string): void {
    if (this.disposed && this.events.size === 0) return;
    const wasDisposed = this.disposed;
    this.dispose();
    // The host hears of the crash before the events it ended, so it counts one failure.
    if (!wasDisposed) this.outbox.crashed(reason, message, this.running > 0);
    this.failAll(new EventFailure(reason, message));
    this.gate.pending.clear();
  }

  /**
   * The single dispatch callback. It runs synchronously while the isolate waits, so it never
   * throws (a thrown host error would carry host stack frames into the isolate): it answers
   * JSON, an id or an error.
   */
  private onSend(method: unknown, payload: unknown): string {
    try {
      const admitted = this.gate.admit(method, payload);
      return 'refusal' in admitted ? admitted.refusal : dispatchTo(this.received, admitted);
    } catch {
      // Whatever went wrong came from the app's message (its error may hold host frames): it is refused as unreadable.
      return JSON.stringify({
        error: {
          name: 'SwitchboardError',
          code: 'invalid_request',
          message: 'The call could not be read.',
          reason: 'error',
        },
      } satisfies SendReply);
    }
  }
}

function messageOf(err: unknown): string {
  return withoutPaths(String((err as Error)?.message ?? err)).slice(0, 500);
}
