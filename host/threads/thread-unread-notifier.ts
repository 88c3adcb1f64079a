import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import type { EventBus, HostEvent } from '../bus/event-bus.js';
import { Tokens } from '../core/container-tokens.js';
import type { CommittedEventOutbox, NewMessageListener, OutboxBatch } from '../core/extension-points.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import { BoundedQueue } from '../core/bounded-queue.js';
import { ThrottledWarning } from '../core/throttled-warning.js';
import { followerPositions } from './thread-read-positions.js';

/** A thread whose replies changed in a commit. */
interface ThreadTouched {
  conversationId: string;
  rootId: string;
}

/** Threads waiting to be counted: a burst past this is dropped (and logged) rather than held in memory. */
const QUEUE_SIZE = 10_000;
/** Threads one count takes: their followers are one query. */
const BATCH = 256;
const DROP_LOG_EVERY_MS = 10_000;

/**
 * Tells the followers of a thread what is new to them there once a reply is sent or deleted in
 * it, so a device can show a live badge for followed threads without asking the host after every
 * reply in every conversation. One of the writer's outboxes, like Web Push: only the host that
 * committed sees the change, the count is made after the commit in a bounded queue (one query per
 * batch of threads, off the hot path), and a `thread.unread` bus event carries each follower's own
 * count to the hosts holding their sockets. Nothing is recorded: a count lost to a crash is made
 * again by the next reply, and devices read the list (`GET /v1/threads/unread`) when they connect.
 */
@injectable()
export class ThreadUnreadNotifier implements CommittedEventOutbox {
  private readonly knex: Knex;
  private readonly log: Logger;
  private readonly queue: BoundedQueue<ThreadTouched>;
  private readonly drops: ThrottledWarning;

  constructor(
    @inject(Tokens.Database) db: Database,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(Tokens.Logger) log: Logger,
  ) {
    this.knex = db.knex;
    this.log = log.child({ component: 'thread-unread' });
    this.drops = new ThrottledWarning(DROP_LOG_EVERY_MS, (dropped) =>
      this.log.warn({ dropped }, 'thread unread queue full: followers not told of replies'),
    );
    // One run at a time: a thread's counts reach its followers in the order they were made.
    this.queue = new BoundedQueue({ size: QUEUE_SIZE, concurrency: 1, maxBatch: BATCH, run: (t) => this.count(t) });
  }

  newMessageListeners(): readonly NewMessageListener[] {
    return [];
  }

  record(_trx: Knex.Transaction | null, events: readonly HostEvent[]): Promise<OutboxBatch | null> {
    const touched: ThreadTouched[] = [];
    for (const event of events) {
      if (event.type !== 'message.changed' || (event.change !== 'created' && event.change !== 'deleted')) continue;
      const rootId = event.message.threadRootId;
      if (rootId) touched.push({ conversationId: event.conversationId, rootId });
    }
    return Promise.resolve(touched.length > 0 ? touched : null);
  }

  committed(batch: OutboxBatch | null): void {
    if (batch === null) return;
    for (const thread of batch as ThreadTouched[]) if (!this.queue.offer(thread)) this.drops.add();
  }

  /** Counts already running finish; what waits is dropped. */
  stop(): Promise<void> {
    return this.queue.stop();
  }

  private async count(touched: ThreadTouched[]): Promise<void> {
    const threads = new Map(touched.map((t) => [t.rootId, t]));
    try {
      const byThread = new Map<string, { userId: string; seq: number; unreadCount: number }[]>();
      for (const p of await followerPositions(this.knex, [...threads.keys()])) {
        const followers = byThread.get(p.rootId) ?? [];
        followers.push({ userId: p.userId, seq: p.seq, unreadCount: p.unreadCount });
        byThread.set(p.rootId, followers);
      }
      for (const [rootId, followers] of byThread) {
        const { conversationId } = threads.get(rootId)!;
        this.bus.publish({ type: 'thread.unread', conversationId, rootId, followers });
      }
    } catch (err) {
      this.log.error({ err, threads: threads.size }, 'could not count unread thread replies for their followers');
    }
  }
}
