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
  /** Queued ops by the event they work for (null: none), events in the order of their turns. */
  private readonly queued = new Map<number | null, Queued[]>();
  private count = 0;
  private readonly callEvents = new Map<number, number>();

  constructor(private readonly isOpen: (eventId: number) => boolean) {}

  get size(): number {
    return this.count;
  }

  push(op: GuestOp): void {
    const chars = op[0] === 'invoke' || op[0] === 'resolve' ? op[3].length : 0;
    const event = this.eventOf(op);
    const items = this.queued.get(event);
    if (items) items.push({ op, chars });
    else this.queued.set(event, [{ op, chars }]);
    this.count++;
  }

  /** The app made a call in an entry for `event`: the call is that event's, while it is open. */
  called(callId: number, event: number | null): void {
    if (event !== null && this.isOpen(event)) this.callEvents.set(callId, event);
  }

  /**
   * The next entry: the ops of the event whose turn it is, in their order, within the bounds
   * above; null when none wait. An event that has settled meanwhile is charged nothing.
   */
  take(): Entry | null {
    const first = this.queued.entries().next();
    if (first.done) return null;
    const [event, items] = first.value;
    let n = 0;
    let chars = 0;
    while (n < items.length && (n === 0 || (n < OPS_PER_ENTRY && chars + items[n]!.chars <= CHARS_PER_ENTRY)))
      chars += items[n++]!.chars;
    const ops = items.splice(0, n).map((item) => item.op);
    // What is left waits behind the other events' ops, so one busy event does not hold them up.
    this.queued.delete(event);
    if (items.length > 0) this.queued.set(event, items);
    this.count -= n;
    return { ops, event: event !== null && this.isOpen(event) ? event : null };
  }

  /** The isolate is gone: nothing queued will run, and no call will be answered. */
  clear(): void {
    this.queued.clear();
    this.count = 0;
    this.callEvents.clear();
  }

  private eventOf(op: GuestOp): number | null {
    if (op[0] !== 'resolve') return op[1];
    const event = this.callEvents.get(op[1]) ?? null;
    this.callEvents.delete(op[1]);
    return event;
  }
}
