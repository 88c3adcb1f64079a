import ivm from 'isolated-vm';
import type { AppLimits } from '../../../sdk/app/app-limits.js';
import type { AppBoot, AppFailureReason, AppStats, GuestMessage, Handlers } from '../rpc-protocol.js';
import { errorText } from '../wire-error.js';
import { CallGate } from './call-gate.js';
import { CpuLedger, NS_PER_MS } from './cpu-ledger.js';
import { EventFailure } from './event-failure.js';
import { HeapFigures } from './heap-figures.js';
import { createIsolate, installGuestRuntime, runBundle, type GuestRuntime } from './isolate-boot.js';
import { OpenEvents } from './open-events.js';
import { IsolateEntries } from './isolate-entries.js';
import { CallerShares } from './caller-shares.js';
import { answered, guestDispatch, type GuestDispatch } from './guest-dispatch.js';
import type { IsolateOutbox } from './isolate-outbox.js';
import type { GuestCode } from './guest-code.js';

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
  readonly events: OpenEvents;
  /** The worker's thread time spent on what the app sent out (guest-dispatch.ts): part of its CPU. */
  private boundaryNs = 0n;
  private readonly cpu = new CpuLedger(() => this.cpuNow());
  private readonly gate: CallGate;
  private readonly heap: HeapFigures;
  readonly callers: CallerShares;
  /** Behind both of the isolate's callbacks (guest-dispatch.ts). */
  private readonly dispatch: GuestDispatch;
  /** The way in: entries, one event's each, and what they cost. */
  private readonly entries: IsolateEntries;
  /** What each message out of the isolate does; the answer goes back to the app as JSON. */
  private readonly received: Handlers<GuestMessage, string> = {
    done: answered((m) => this.events.finish(m.eventId, m.ok, m.value)),
    log: answered((m) => this.outbox.log(m.level, m.message, m.data)),
    release: answered((m) => this.outbox.release(m.handler)),
    call: answered((m) => {
      this.entries.called(m.callId);
      this.outbox.call(m.callId, m.method, m.args, m.chars);
    }),
  };
  private disposed = false;

  private constructor(
    readonly app: string,
    private readonly limits: AppLimits,
    private readonly outbox: IsolateOutbox,
  ) {
    this.isolate = createIsolate(app, limits.memoryMb);
    this.callers = new CallerShares(limits);
    this.events = new OpenEvents(
      limits.eventTimeoutMs,
      (id) => this.deadlinePassed(id),
      (payer) => this.callers.settled(payer),
    );
    this.entries = new IsolateEntries({
      limits,
      events: this.events,
      callers: this.callers,
      outbox,
      cpuNow: () => this.cpuNow(),
      gone: () => this.disposed || this.isolate.isDisposed,
      run: (ops, timeout) => this.runtime.run.apply(undefined, [ops], { timeout, arguments: { copy: true } }),
      crash: (reason, message) => this.crash(reason, message),
      returned: () => this.cpu.sample(),
    });
    this.heap = new HeapFigures(this.isolate);
    this.gate = new CallGate(limits, {
      eventOpen: () => this.events.size > 0,
      cpuSpent: () => this.cpu.spent(limits.cpuMsPerMinute),
    });
    this.dispatch = guestDispatch(
      this.gate,
      this.received,
      (callId, error) => this.answer(callId, false, JSON.stringify(error), true),
      (ns) => {
        this.boundaryNs += ns;
      },
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
    return this.event((id) => this.entries.schedule(['start', id]));
  }

  stop(): Promise<unknown> {
    return this.event((id) => this.entries.schedule(['stop', id]));
  }

  /** `payer`: the plugin whose service call this is; past its share of the app's CPU it is refused. */
  invoke(handlerId: number, args: unknown[], payer?: string): Promise<unknown> {
    const refused = this.callers.refusal(payer);
    if (refused) return this.events.refuse(refused);
    return this.event((id) => this.entries.schedule(['invoke', id, handlerId, JSON.stringify(args)]), payer);
  }

  /** The host answered a call: resume the code that awaits it, under the same CPU bound. */
  resolveCall(callId: number, ok: boolean, payload: unknown): void {
    if (!this.gate.settled(callId) || this.disposed) return;
    const started = process.hrtime.bigint();
    const json = JSON.stringify(payload ?? null);
    // A large answer costs the worker's thread too: the app's CPU, as what it sends out is.
    this.boundaryNs += process.hrtime.bigint() - started;
    this.answer(callId, ok, json);
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
    this.entries.schedule(['resolve', callId, ok, json]);
  }

  async stats(): Promise<AppStats> {
    const heap = await this.heap.read();
    return {
      app: this.app,
      cpuMs: Number((this.cpuNow() ?? 0n) / NS_PER_MS),
      cpuMsLastMinute: Number(this.cpu.lastMinute() / NS_PER_MS),
      heapUsedBytes: this.disposed ? 0 : heap.used,
      externalBytes: this.disposed ? 0 : heap.external,
      heapLimitBytes: this.limits.memoryMb * 1_048_576,
      events: this.events.count,
      failedEvents: this.events.failed,
      pendingCalls: this.gate.pending.size,
    };
  }

  /** The app's CPU time (ns): its isolate's, and the worker's on what it sent out; null once it is gone. */
  private cpuNow(): bigint | null {
    return this.disposed || this.isolate.isDisposed ? null : this.isolate.cpuTime + this.boundaryNs;
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
    if (this.disposed) return this.events.refuse(new EventFailure('restarting', 'The app is restarting.'));
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
    const started = !this.entries.unstart(id);
    // Still calling the host past the deadline, its work would go on without end (its CPU is
    // bounded by its budget, not its calls): stop it the only sure way, and restart the app.
    if (started && this.entries.calling(id)) {
      this.crash('timeout', failure.message);
      return;
    }
    if (!started || this.entries.waiting(id)) {
      // It waited behind the app's other events (to start, or to go on): it fails alone, and the
      // app is not to blame.
      this.events.fail(id, new EventFailure('overloaded', `${failure.message} It waited behind other events.`));
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

  private crash(reason: AppFailureReason, message: string): void {
    if (this.disposed && this.events.size === 0) return;
    const wasDisposed = this.disposed;
    this.dispose();
    // The host hears of the crash before the events it ended, so it counts one failure.
    if (!wasDisposed) this.outbox.crashed(reason, message, this.entries.size > 0);
    this.events.failAll(new EventFailure(reason, message));
    this.gate.clear();
    this.entries.clear();
  }
}
