import type { AppLimits } from '../../../sdk/app/app-limits.js';
import type { AppFailureReason, GuestOp } from '../rpc-protocol.js';
import { errorText } from '../wire-error.js';
import type { CallerShares } from './caller-shares.js';
import { NS_PER_MS } from './cpu-ledger.js';
import { EntriesInFlight } from './entries-in-flight.js';
import { EntryQueue, type Entry } from './entry-queue.js';
import { wallBackstopMs, watchEntry } from './entry-watch.js';
import { EventFailure } from './event-failure.js';
import type { IsolateOutbox } from './isolate-outbox.js';
import type { OpenEvents } from './open-events.js';

/** Entries sent in ahead of the one running: the isolate need not wait for the worker's thread between them. */
const ENTRIES_AHEAD = 16;

/** What the entries need from the app's isolate around them. */
export interface EntriesOwner {
  readonly limits: AppLimits;
  readonly events: OpenEvents;
  readonly callers: CallerShares;
  readonly outbox: IsolateOutbox;
  /** The isolate's CPU time (ns), or null once it is gone. */
  cpuNow(): bigint | null;
  /** The isolate is gone (disposed). */
  gone(): boolean;
  /** Runs the guest runtime's entry point with `ops`. */
  run(ops: GuestOp[], timeoutMs: number): Promise<unknown>;
  crash(reason: AppFailureReason, message: string): void;
  /** An entry returned and was charged. */
  returned(): void;
}

/**
 * The way into an app's isolate: ops queue by the event they work for (entry-queue.ts), go in an
 * entry per event, a few ahead of the one running (entries-in-flight.ts), and each entry's CPU is
 * charged to its event and to the caller the event serves. The running entry is watched: cut off
 * at one event's CPU budget, the isolate is recreated (it may hold runaway work, a microtask loop
 * that resumes at the next entry); a builtin that ignores termination keeps the thread even after
 * disposal, and then the worker must end, this app to blame.
 */
export class IsolateEntries {
  private readonly queue: EntryQueue;
  private readonly inFlight: EntriesInFlight;

  constructor(private readonly owner: EntriesOwner) {
    this.queue = new EntryQueue(owner.events.isOpen);
    this.inFlight = new EntriesInFlight(
      () => owner.cpuNow() ?? 0n,
      () =>
        watchEntry({
          cpuNow: () => owner.cpuNow(),
          budgetMs: owner.limits.cpuMsPerEvent,
          overBudget: () =>
            owner.crash('cpu_limit', `The app ran past its ${owner.limits.cpuMsPerEvent} ms CPU budget.`),
          disposed: () => owner.crash('memory', 'The isolate was disposed while it ran (its memory limit).'),
          stuck: () => owner.outbox.stuck(),
        }),
    );
  }

  /** Entries in flight. */
  get size(): number {
    return this.inFlight.size;
  }

  /** Queues an op for the isolate; what is queued in one turn goes in together, one entry per event. */
  schedule(op: GuestOp): void {
    this.queue.push(op);
    if (this.queue.size === 1) queueMicrotask(() => this.flush());
  }

  /** The app made a call, from the entry running now. */
  called(callId: number): void {
    this.queue.called(callId, this.inFlight.current);
  }

  /** Takes back the ops that would start `event`, if it has not started; true if it had not. */
  unstart(event: number): boolean {
    return this.queue.unstart(event);
  }

  /** Whether `event` waits for calls it made to the host. */
  calling(event: number): boolean {
    return this.queue.calling(event);
  }

  /**
   * Whether `event` has work queued or in the isolate. Its own CPU is bounded by its budget, so
   * past its deadline it has mostly waited behind other events' work.
   */
  waiting(event: number): boolean {
    return this.inFlight.has(event) || this.queue.holds(event);
  }

  /** The isolate is gone: nothing queued will run. */
  clear(): void {
    this.queue.clear();
  }

  /** Sends queued entries in, a few ahead of the isolate: those behind them wait, to go in fuller. */
  private flush(): void {
    const { events, callers } = this.owner;
    while (!this.owner.gone() && this.inFlight.size < ENTRIES_AHEAD) {
      const entry = this.queue.take();
      if (!entry) return;
      if (entry.starts && entry.event !== null) {
        // A caller past its share now (calls let in together spend it) is refused before it starts.
        const refused = callers.refusal(events.payerOf(entry.event));
        if (refused) {
          events.fail(entry.event, refused);
          continue;
        }
        callers.started(events.start(entry.event));
      }
      void this.enter(entry).finally(() => this.flush());
    }
  }

  /** One entry into the isolate; the isolate's thread runs entries one after another, in order. */
  private async enter({ ops, event }: Entry): Promise<void> {
    const budgetMs = this.owner.limits.cpuMsPerEvent;
    // Read now: the event may settle before its last entry returns.
    const payer = this.owner.events.payerOf(event);
    this.inFlight.sent(event);
    try {
      await this.owner.run(ops, wallBackstopMs(budgetMs));
    } catch (err) {
      if (this.owner.gone()) {
        this.owner.crash('memory', `The isolate was disposed: ${errorText(err)}`);
      } else if (/timed out/i.test(errorText(err))) {
        this.owner.crash(
          'cpu_limit',
          `The app ran for ${wallBackstopMs(budgetMs)} ms of wall-clock time on its ${budgetMs} ms CPU budget.`,
        );
      } else {
        // The guest settles every event itself, so this is a promise the app let reject unhandled.
        this.owner.outbox.log('error', `unhandled rejection in the app: ${errorText(err)}`, null);
      }
    } finally {
      // Even after a crash: the watch stays on until the entry gives the isolate's thread back.
      const cpu = this.inFlight.returned();
      if (!this.owner.gone()) this.account(event, payer, cpu);
    }
  }

  /** Charges an entry's CPU to the event it worked for (which fails past its budget) and to its payer. */
  private account(event: number | null, payer: string | undefined, cpu: bigint): void {
    const { limits, events } = this.owner;
    this.owner.returned();
    this.owner.callers.charge(payer, cpu);
    if (event !== null && events.charge(event, cpu, BigInt(limits.cpuMsPerEvent) * NS_PER_MS))
      events.fail(
        event,
        new EventFailure('cpu_limit', `The event used more than its ${limits.cpuMsPerEvent} ms CPU budget.`),
      );
  }
}
