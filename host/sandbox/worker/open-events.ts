import { readRefusal, withoutPaths } from '../wire-error.js';
import type { WireError } from '../rpc-protocol.js';
import { EventFailure } from './event-failure.js';

interface EventState {
  resolve(value: unknown): void;
  reject(err: EventFailure): void;
  timer: NodeJS.Timeout;
  /** CPU (ns) of the entries it worked in. */
  cpu: bigint;
  /** The plugin whose service call it serves, if any. */
  payer: string | undefined;
  /** Its first entry has gone into the isolate. */
  started: boolean;
}

/**
 * An app's events in flight, each with its wall-clock deadline and the CPU charged to it; and the
 * counts of events and failed events the app's stats report.
 */
export class OpenEvents {
  private readonly events = new Map<number, EventState>();
  private nextId = 1;
  private timeoutsInARow = 0;
  /** Events opened. */
  count = 0;
  /** Events that failed; the app's own refusal is an answer, not a failure, and is not counted. */
  failed = 0;

  constructor(
    private readonly timeoutMs: number,
    /** An event's deadline passed before it settled. */
    private readonly deadlinePassed: (id: number) => void,
    /** A started event that serves a caller settled. */
    private readonly settled: (payer: string) => void,
  ) {}

  get size(): number {
    return this.events.size;
  }

  isOpen = (id: number): boolean => this.events.has(id);

  /** Opens an event (its deadline starts now) and begins it; settles when it finishes or fails. */
  open(begin: (id: number) => void, payer?: string): Promise<unknown> {
    const id = this.nextId++;
    this.count++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.deadlinePassed(id), this.timeoutMs);
      this.events.set(id, { resolve, reject, timer, cpu: 0n, payer, started: false });
      begin(id);
    });
  }

  /** An event refused before it opened: it counts as failed, unless its caller is to blame. */
  refuse(failure: EventFailure): Promise<unknown> {
    if (failure.counted) this.failed++;
    return Promise.reject(failure);
  }

  payerOf(id: number | null): string | undefined {
    return id === null ? undefined : this.events.get(id)?.payer;
  }

  /** The event's first entry goes into the isolate now; returns its payer. */
  start(id: number): string | undefined {
    const event = this.events.get(id);
    if (event) event.started = true;
    return event?.payer;
  }

  /** The app reported the event done, with its value or its error. */
  finish(id: number, ok: boolean, value: unknown): void {
    const event = this.close(id);
    if (!event) return;
    this.timeoutsInARow = 0;
    if (ok) {
      event.resolve(value);
    } else {
      const wire = value as WireError;
      // The app's own refusal is an answer, not a failure of the app: it is not counted.
      const refusal = readRefusal(value);
      if (!refusal) this.failed++;
      event.reject(
        new EventFailure(
          'error',
          `${wire?.name ?? 'Error'}: ${withoutPaths(String(wire?.message ?? 'failed'))}`,
          refusal ?? undefined,
        ),
      );
    }
  }

  /** A limit stopped the event (a caller's share is the caller's: not counted as the app's failure). */
  fail(id: number, failure: EventFailure): void {
    const event = this.close(id);
    if (!event) return;
    if (failure.counted) this.failed++;
    event.reject(failure);
  }

  failAll(failure: EventFailure): void {
    for (const id of [...this.events.keys()]) this.fail(id, failure);
  }

  /**
   * Charges an entry's CPU (ns) to the event it worked for; true if that event is now past
   * `budget` (ns). Other events' work, in the same app or called by another, is not its to pay for.
   */
  charge(id: number, cpu: bigint, budget: bigint): boolean {
    const event = this.events.get(id);
    if (!event) return false;
    event.cpu += cpu;
    return event.cpu > budget;
  }

  private close(id: number): EventState | undefined {
    const event = this.events.get(id);
    if (!event) return undefined;
    this.events.delete(id);
    clearTimeout(event.timer);
    if (event.started && event.payer !== undefined) this.settled(event.payer);
    return event;
  }

  /** Counts an event that ran past its deadline; returns how many did in a row (an event the app finishes resets it). */
  timedOut(): number {
    return ++this.timeoutsInARow;
  }
}
