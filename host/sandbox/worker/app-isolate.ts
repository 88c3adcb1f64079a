import ivm from 'isolated-vm';
import type { AppLimits } from '../../../sdk/app/app-limits.js';
import type { AppBoot, AppFailureReason, AppStats, GuestMessage, GuestOp, Handlers } from '../rpc-protocol.js';
import { errorText } from '../wire-error.js';
import { CallGate } from './call-gate.js';
import { CpuLedger, NS_PER_MS } from './cpu-ledger.js';
import { EventFailure } from './event-failure.js';
import { wallBackstopMs, watchEntry } from './entry-watch.js';
import { HeapFigures } from './heap-figures.js';
import { createIsolate, installGuestRuntime, runBundle, type GuestRuntime } from './isolate-boot.js';
import { OpenEvents } from './open-events.js';
import { EntryQueue, type Entry } from './entry-queue.js';
import { EntriesInFlight } from './entries-in-flight.js';
import { CallerShares } from './caller-shares.js';
import { guestDispatch, type GuestDispatch } from './guest-dispatch.js';
import type { IsolateOutbox } from './isolate-outbox.js';
import type { GuestCode } from './guest-code.js';

/** Entries sent in ahead of the one running: the isolate need not wait for the worker's thread between them. */
const ENTRIES_AHEAD = 16;

/** Events in a row that time out before the app's isolate is recreated (its runtime may be broken). */
const MAX_TIMEOUTS_IN_A_ROW = 3;

/**
 * One app in its own isolate: every entry into it is bounded by the CPU it uses (entry-watch.ts),
 * each event by its wall-clock deadline and by the CPU of the entries it worked in, all of its
 * work (events or not) by its CPU per minute, and its host calls by the call gate. Entries go in
 * one at a time, so each one's CPU is known exactly. The only way out of the isolate is the
 * dispatch callback.
 */
export class AppIsolate {
  private readonly isolate: ivm.Isolate;
  private context!: ivm.Context;
  private runtime!: GuestRuntime;
  private readonly events: OpenEvents;
  private readonly cpu = new CpuLedger(() => (this.disposed || this.isolate.isDisposed ? null : this.isolate.cpuTime));
  private readonly gate: CallGate;
  private readonly heap: HeapFigures;
  private readonly callers: CallerShares;
  /** Behind both of the isolate's callbacks (guest-dispatch.ts). */
  private readonly dispatch: GuestDispatch;
  /** Ops waiting for the next entry, and the events each works for. */
  private readonly queue: EntryQueue;
  private readonly inFlight = new EntriesInFlight(
    () => (this.disposed || this.isolate.isDisposed ? 0n : this.isolate.cpuTime),
    () => this.watchEntry(),
  );
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
      this.queue.called(m.callId, this.inFlight.current);
      this.outbox.call(m.callId, m.method, m.args);
      return '{}';
    },
  };
  private disposed = false;

  private constructor(
    readonly app: string,
    private readonly limits: AppLimits,
    private readonly outbox: IsolateOutbox,
  ) {
    this.isolate = createIsolate(app, limits.memoryMb);
    this.events = new OpenEvents(limits.eventTimeoutMs, (id) => this.deadlinePassed(id));
    this.queue = new EntryQueue(this.events.isOpen);
    this.heap = new HeapFigures(this.isolate);
    this.callers = new CallerShares(limits.cpuMsPerMinute);
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
      throw new EventFailure('start_failed', `The app bundle failed to load: ${errorText(err)}`);
    }
    return self;
  }

  start(): Promise<unknown> {
    return this.event((id) => this.schedule(['start', id]));
  }

  stop(): Promise<unknown> {
    return this.event((id) => this.schedule(['stop', id]));
  }

  /** `payer`: the plugin whose service call this is; past its share of the app's CPU it is refused. */
  invoke(handlerId: number, args: unknown[], payer?: string): Promise<unknown> {
    const refused = payer === undefined ? null : this.callers.refusal(payer);
    if (refused)
      return this.events.refuse(new EventFailure('caller_share', refused.message, undefined, refused.retryAfterMs));
    return this.event((id) => this.schedule(['invoke', id, handlerId, JSON.stringify(args)]), payer);
  }

  /** The host answered a call: resume the code that awaits it, under the same CPU bound. */
  resolveCall(callId: number, ok: boolean, payload: unknown): void {
    if (!this.gate.settled(callId) || this.disposed) return;
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
  private event(begin: (id: number) => void, payer?: string): Promise<unknown> {
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
    return this.events.open(begin, payer);
  }

  private deadlinePassed(id: number): void {
    const failure = new EventFailure('timeout', `The event ran past its ${this.limits.eventTimeoutMs} ms deadline.`);
    if (this.inFlight.size > 0 || this.gate.pending.size > 0) {
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

  /** Queues an op for the isolate; what is queued in one turn goes in together, one entry per event. */
  private schedule(op: GuestOp): void {
    this.queue.push(op);
    if (this.queue.size === 1) queueMicrotask(() => this.flush());
  }

  /** Sends queued entries in, a few ahead of the isolate: those behind them wait, to go in fuller. */
  private flush(): void {
    while (!this.disposed && this.inFlight.size < ENTRIES_AHEAD) {
      const entry = this.queue.take();
      if (!entry) return;
      void this.enter(entry).finally(() => this.flush());
    }
  }

  /** One entry into the isolate; the isolate's thread runs entries one after another, in order. */
  private async enter({ ops, event }: Entry): Promise<void> {
    const budgetMs = this.limits.cpuMsPerEvent;
    // Read now: the event may settle before its last entry returns.
    const payer = this.events.payerOf(event);
    this.inFlight.sent(event);
    try {
      await this.runtime.run.apply(undefined, [ops], { timeout: wallBackstopMs(budgetMs), arguments: { copy: true } });
    } catch (err) {
      if (this.disposed || this.isolate.isDisposed) {
        this.crash('memory', `The isolate was disposed: ${errorText(err)}`);
      } else if (/timed out/i.test(errorText(err))) {
        this.crash(
          'cpu_limit',
          `The app ran for ${wallBackstopMs(budgetMs)} ms of wall-clock time on its ${budgetMs} ms CPU budget.`,
        );
      } else {
        // The guest settles every event itself, so this is a promise the app let reject unhandled.
        this.outbox.log('error', `unhandled rejection in the app: ${errorText(err)}`, null);
      }
    } finally {
      // Even after a crash: the watch stays on until the entry gives the isolate's thread back.
      const cpu = this.inFlight.returned();
      if (!this.disposed && !this.isolate.isDisposed) this.account(event, payer, cpu);
    }
  }

  /**
   * The running entry's watch: cut off at one event's CPU budget, the isolate is recreated (it may
   * hold runaway work, a microtask loop that resumes at the next entry). A builtin that ignores
   * termination keeps the thread even after disposal: then the worker must end, this app to blame.
   */
  private watchEntry(): { done(): void } {
    const budgetMs = this.limits.cpuMsPerEvent;
    return watchEntry({
      cpuNow: () => (this.disposed || this.isolate.isDisposed ? null : this.isolate.cpuTime),
      budgetMs,
      overBudget: () => this.crash('cpu_limit', `The app ran past its ${budgetMs} ms CPU budget.`),
      stuck: () => this.outbox.stuck(),
    });
  }

  /** Charges an entry's CPU to the event it worked for (which fails past its budget) and to its payer. */
  private account(event: number | null, payer: string | undefined, cpu: bigint): void {
    this.cpu.sample();
    this.callers.charge(payer, cpu);
    const budget = BigInt(this.limits.cpuMsPerEvent) * NS_PER_MS;
    if (event !== null && this.events.charge(event, cpu, budget))
      this.events.fail(
        event,
        new EventFailure('cpu_limit', `The event used more than its ${this.limits.cpuMsPerEvent} ms CPU budget.`),
      );
  }

  private crash(reason: AppFailureReason, message: string): void {
    if (this.disposed && this.events.size === 0) return;
    const wasDisposed = this.disposed;
    this.dispose();
    // The host hears of the crash before the events it ended, so it counts one failure.
    if (!wasDisposed) this.outbox.crashed(reason, message, this.inFlight.size > 0);
    this.events.failAll(new EventFailure(reason, message));
    this.gate.clear();
    this.queue.clear();
  }
}
