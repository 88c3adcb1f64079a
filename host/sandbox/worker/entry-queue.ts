import type { GuestOp } from '../rpc-protocol.js';

/** Ops one entry carries at most. */
const OPS_PER_ENTRY = 64;
/** Characters of arguments and answers one entry carries at most (an op larger than this goes alone). */
const CHARS_PER_ENTRY = 262_144;

/** The ops of one entry into an isolate, and the open event they work for (null: none). */
export interface Entry {
  ops: GuestOp[];
  event: number | null;
}

interface Queued {
  op: GuestOp;
  chars: number;
}

/**
 * The ops waiting to enter an app's isolate, and which of the app's events each works for, so an
 * entry's CPU is charged to that event alone. An event works through its own ops (start, stop,
 * invoke) and through the answers to the calls it made. Which code made a call is known only by
 * the entry it ran in (a continuation after an await runs at the entry's end, whichever op
 * scheduled it), so an entry carries the ops of one event: then a call made during it is that
 * event's, and so is the entry that resumes it. Ops whose event has settled (a detached loop's)
 * belong to none and go in together; only the app's CPU per minute bounds them.
 */
export class EntryQueue {
  /**
   * Queued ops by the event they work for (null: none), events in the order of their turns:
   * answers to calls of events under way, which go first, so that what has started finishes
   * before more starts; and the ops that start events.
   */
  private readonly resuming = new Map<number | null, Queued[]>();
  private readonly starting = new Map<number | null, Queued[]>();
  private count = 0;
  private readonly callEvents = new Map<number, number>();
  /** Unanswered calls per event, beside callEvents, so a deadline's check need not scan them. */
  private readonly callsOf = new Map<number, number>();

  constructor(private readonly isOpen: (eventId: number) => boolean) {}

  get size(): number {
    return this.count;
  }

  push(op: GuestOp): void {
    const chars = op[0] === 'invoke' || op[0] === 'resolve' ? op[3].length : 0;
    const event = this.eventOf(op);
    const queue = op[0] === 'resolve' ? this.resuming : this.starting;
    const items = queue.get(event);
    if (items) items.push({ op, chars });
    else queue.set(event, [{ op, chars }]);
    this.count++;
  }

  /** The app made a call in an entry for `event`: the call is that event's, while it is open. */
  called(callId: number, event: number | null): void {
    if (event === null || !this.isOpen(event)) return;
    this.callEvents.set(callId, event);
    this.callsOf.set(event, (this.callsOf.get(event) ?? 0) + 1);
  }

  /**
   * The next entry: the ops of the event whose turn it is, in their order, within the bounds
   * above; null when none wait. An event that has settled meanwhile is charged nothing.
   * `starts`: the entry starts its event.
   */
  take(): (Entry & { starts: boolean }) | null {
    const starts = this.resuming.size === 0;
    const queue = starts ? this.starting : this.resuming;
    const first = queue.entries().next();
    if (first.done) return null;
    const [event, items] = first.value;
    let n = 0;
    let chars = 0;
    while (n < items.length && (n === 0 || (n < OPS_PER_ENTRY && chars + items[n]!.chars <= CHARS_PER_ENTRY)))
      chars += items[n++]!.chars;
    const ops = items.splice(0, n).map((item) => item.op);
    // What is left waits behind the other events' ops, so one busy event does not hold them up.
    queue.delete(event);
    if (items.length > 0) queue.set(event, items);
    this.count -= n;
    return { ops, event: event !== null && this.isOpen(event) ? event : null, starts };
  }

  /** Takes back the ops that would start `event`, if it has not started; true if it had not. */
  unstart(event: number): boolean {
    const items = this.starting.get(event);
    if (!items) return false;
    this.starting.delete(event);
    this.count -= items.length;
    return true;
  }

  /** Whether `event` has ops waiting to go in. */
  holds(event: number): boolean {
    return this.resuming.has(event) || this.starting.has(event);
  }

  /** Whether `event` made calls not yet answered. */
  calling(event: number): boolean {
    return this.callsOf.has(event);
  }

  /** The isolate is gone: nothing queued will run, and no call will be answered. */
  clear(): void {
    this.resuming.clear();
    this.starting.clear();
    this.count = 0;
    this.callEvents.clear();
    this.callsOf.clear();
  }

  private eventOf(op: GuestOp): number | null {
    if (op[0] !== 'resolve') return op[1];
    const event = this.callEvents.get(op[1]);
    if (event === undefined) return null;
    this.callEvents.delete(op[1]);
    const left = this.callsOf.get(event)! - 1;
    if (left > 0) this.callsOf.set(event, left);
    else this.callsOf.delete(event);
    return event;
  }
}
