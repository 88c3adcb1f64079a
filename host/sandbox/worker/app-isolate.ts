import ivm from 'isolated-vm';
import type { AppLimits } from '../../../sdk/app/app-limits.js';
import type { CapabilityMethod } from '../../../sdk/app/capability-methods.js';
import type {
  AppBoot,
  AppFailureReason,
  AppStats,
  GuestMessage,
  GuestOp,
  Handlers,
  LogLevel,
} from '../rpc-protocol.js';
import { withoutPaths } from '../wire-error.js';
import { CallGate } from './call-gate.js';
import { CpuLedger, NS_PER_MS } from './cpu-ledger.js';
import { EventFailure } from './event-failure.js';
import { wallBackstopMs, watchEntry } from './entry-watch.js';
import { HeapFigures } from './heap-figures.js';
import { createIsolate, installGuestRuntime, runBundle, type GuestRuntime } from './isolate-boot.js';
import { OpenEvents } from './open-events.js';
import { guestDispatch, type GuestDispatch } from './guest-dispatch.js';
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

/** Events in a row that time out before the app's isolate is recreated (its runtime may be broken). */
const MAX_TIMEOUTS_IN_A_ROW = 3;

/**
 * Ops one entry carries at most. Queued entries already share a CPU watch that starts when each
 * is queued (entry-watch.ts), so batching adds no new way to be cut off; the bound keeps any one
 * entry's work small next to the budget.
 */
const OPS_PER_ENTRY = 64;

/**
 * One app in its own isolate: every entry into it is bounded by the CPU it uses (entry-watch.ts),
 * each event by its wall-clock deadline, all of its work (events or not) by its CPU per minute,
 * and its host calls by the call gate. The only way out of the isolate is the dispatch callback.
 */
export class AppIsolate {
  private readonly isolate: ivm.Isolate;
  private context!: ivm.Context;
  private runtime!: GuestRuntime;
  private readonly events: OpenEvents;
  private readonly cpu = new CpuLedger(() => (this.disposed || this.isolate.isDisposed ? null : this.isolate.cpuTime));
  private readonly gate: CallGate;
  private readonly heap: HeapFigures;
  /** Behind both of the isolate's callbacks (guest-dispatch.ts). */
  private readonly dispatch: GuestDispatch;
  /** Ops waiting for the next entry: what arrives in one turn enters the isolate together. */
  private queued: GuestOp[] = [];
  /** What each message out of the isolate does; the answer goes back to the app as JSON. */
  private readonly received: Handlers<GuestMessage, string> = {
    done: (m) => {
      this.events.finish(m.eventId, m.ok, m.value);
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
      return '{}';
    },
  };
  private running = 0;
  private disposed = false;

  private constructor(
    readonly app: string,
    private readonly limits: AppLimits,
    private readonly outbox: IsolateOutbox,
  ) {
    this.isolate = createIsolate(app, limits.memoryMb);
    this.events = new OpenEvents(limits.eventTimeoutMs, (id) => this.deadlinePassed(id));
    this.heap = new HeapFigures(this.isolate);
    this.gate = new CallGate(limits, {
      eventOpen: () => this.events.size > 0,
      cpuSpent: () => this.cpu.spent(limits.cpuMsPerMinute),
    });
    this.dispatch = guestDispatch(this.gate, this.received, (callId, error) =>
      this.answer(callId, false, JSON.stringify(error), true),
    );
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
    return this.event((id) => this.schedule(['start', id]));
  }

  stop(): Promise<unknown> {
    return this.event((id) => this.schedule(['stop', id]));
  }

  invoke(handlerId: number, args: unknown[]): Promise<unknown> {
    return this.event((id) => this.schedule(['invoke', id, handlerId, JSON.stringify(args)]));
  }

  /** The host answered a call: resume the code that awaits it, under the same CPU bound. */
  resolveCall(callId: number, ok: boolean, payload: unknown): void {
    if (!this.gate.pending.delete(callId) || this.disposed) return;
    this.answer(callId, ok, JSON.stringify(payload ?? null));
  }

  /**
   * A call's answer for the isolate to take: the host's, or the gate's refusal of a one-way call.
   * Work no event waits for, past the minute's CPU, is stopped rather than resumed. A refusal is
   * what tells such work to end, so it still goes in until the work has also spent one event's
   * budget more: a loop that ignores its refusals would otherwise spin from entry to entry.
   */
  private answer(callId: number, ok: boolean, json: string, refusal = false): void {
    if (this.disposed) return;
    const { cpuMsPerMinute, cpuMsPerEvent } = this.limits;
    if (this.events.size === 0 && this.cpu.spent(refusal ? cpuMsPerMinute + cpuMsPerEvent : cpuMsPerMinute)) {
      this.crash(
        'cpu_limit',
        `Work outside the app's events used its ${cpuMsPerMinute} ms of CPU for the minute; the app was stopped.`,
      );
      return;
    }
    this.schedule(['resolve', callId, ok, json]);
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
      events: this.events.count,
      failedEvents: this.events.failed,
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
   * is synchronous (isolate-boot.ts). The app's bundle runs asynchronously, under its CPU bound,
   * like every entry after; the runtime's entry points are set first, as the bundle may call out.
   */
  private async load(guest: GuestCode, code: string, boot: AppBoot): Promise<void> {
    const budgetMs = this.limits.cpuMsPerEvent;
    const { context, runtime } = installGuestRuntime(this.isolate, guest, boot, budgetMs, this.dispatch);
    this.context = context;
    this.runtime = runtime;
    await runBundle(this.isolate, context, code, budgetMs, () => this.outbox.stuck());
  }

  /** Starts an event and settles when the app reports it done, or when a limit stops it. */
  private event(begin: (id: number) => void): Promise<unknown> {
    if (this.disposed) return Promise.reject(new EventFailure('memory', 'The app is restarting.'));
    const used = this.cpu.lastMinute();
    if (used > BigInt(this.limits.cpuMsPerMinute) * NS_PER_MS) {
      return this.events.refuse(
        new EventFailure(
          'cpu_minute_limit',
          `The app used ${used / NS_PER_MS} ms of CPU in the last minute; its limit is ${this.limits.cpuMsPerMinute} ms.`,
        ),
      );
    }
    return this.events.open(() => this.isolate.cpuTime, begin);
  }

  private deadlinePassed(id: number): void {
    const failure = new EventFailure('timeout', `The event ran past its ${this.limits.eventTimeoutMs} ms deadline.`);
    if (this.running > 0 || this.gate.pending.size > 0) {
      // Still executing, or still calling the host, past the deadline: that work would go on
      // without end, so stop it the only sure way and let the host restart the app.
      this.crash('timeout', failure.message);
      return;
    }
    if (this.events.timedOut() >= MAX_TIMEOUTS_IN_A_ROW) {
      // Idle yet never settling: the app may have broken its own runtime (a patched Promise
      // method); a new isolate is the only repair.
      this.crash(
        'timeout',
        `${MAX_TIMEOUTS_IN_A_ROW} events in a row ran past their ${this.limits.eventTimeoutMs} ms deadline; the app's isolate is recreated.`,
      );
      return;
    }
    this.events.fail(id, failure);
  }

  /** Queues an op for the isolate; what is queued in one turn enters together, in order. */
  private schedule(op: GuestOp): void {
    this.queued.push(op);
    if (this.queued.length === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const ops = this.queued;
    this.queued = [];
    for (let i = 0; i < ops.length; i += OPS_PER_ENTRY) void this.enter(ops.slice(i, i + OPS_PER_ENTRY));
  }

  /** One entry into the isolate, cut off at the CPU budget; a watchdog backs the cut-off up. */
  private async enter(ops: GuestOp[]): Promise<void> {
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
      await this.runtime.run.apply(undefined, [ops], { timeout: wallBackstopMs(budgetMs), arguments: { copy: true } });
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
    for (const id of this.events.overBudget(cpu, budget))
      this.events.fail(
        id,
        new EventFailure('cpu_limit', `The event used more than its ${this.limits.cpuMsPerEvent} ms CPU budget.`),
      );
  }

  private crash(reason: AppFailureReason, message: string): void {
    if (this.disposed && this.events.size === 0) return;
    const wasDisposed = this.disposed;
    this.dispose();
    // The host hears of the crash before the events it ended, so it counts one failure.
    if (!wasDisposed) this.outbox.crashed(reason, message, this.running > 0);
    this.events.failAll(new EventFailure(reason, message));
    this.gate.pending.clear();
  }
}

function messageOf(err: unknown): string {
  return withoutPaths(String((err as Error)?.message ?? err)).slice(0, 500);
}
