import { GroupCommitQueue, type Message } from '../../../sdk/index.js';
import type { BusinessApp } from '../business-app.js';
import { isOpen, localDay } from '../businesses/business-config.js';
import { configOf } from '../businesses/businesses.js';
import { emitEvent, tellAgents } from '../events.js';
import { sendFromBusiness } from '../outgoing/send-from-business.js';
import type { ThreadRow } from './threads.js';

const SETTLED_MAX = 100_000;

interface Incoming {
  conversationId: string;
  message: Message;
  arrived: number;
}

/**
 * Customers' messages, as the host reports them: each restarts the 24-hour window and opens its
 * conversation again (waking a snooze), in one transaction per burst. Meanwhile an unassigned
 * conversation the agents have is assigned round-robin. Then, per message: the `message` event
 * to the webhook and the bot and, outside business hours, the away reply, at most once per
 * conversation per day (in the business's time zone). The agents hear which conversations moved.
 */
export class CustomerActivity {
  private readonly queue: GroupCommitQueue<Incoming>;

  constructor(private readonly app: BusinessApp) {
    this.queue = new GroupCommitQueue<Incoming>({
      commit: (items) => this.flush(items),
      maxBatch: 256,
      maxInFlight: 2,
    });
  }

  async received(conversationId: string, message: Message): Promise<void> {
    if (message.senderId === this.app.ctx.self.id) return;
    const item = { conversationId, message, arrived: performance.now() };
    // A conversation not yet known to have an assignee is routed at once, not behind the burst,
    // and its burst write waits for that (so the two do not wait on each other's row lock).
    if (!this.settled.has(conversationId)) {
      await this.route(item).catch((err: unknown) =>
        this.app.ctx.log.warn('routing failed', { conversationId, error: String((err as Error)?.message ?? err) }),
      );
    }
    await this.queue.push(item);
  }

  /** Conversations this host has seen with an assignee (or in a bot's hands); a cache, so flush() still checks. */
  private readonly settled = new Set<string>();

  private async route(item: Incoming): Promise<void> {
    const fresh = this.app.freshThreads.get(item.conversationId);
    if (fresh) this.app.freshThreads.delete(item.conversationId);
    const thread = fresh
      ? { ...fresh }
      : await this.app.ctx.database.table<ThreadRow>('threads').where({ conversation_id: item.conversationId }).first();
    if (!thread || thread.customer_id !== item.message.senderId) return;
    await this.assign(thread, item);
  }

  private async flush(items: Incoming[]): Promise<void> {
    const table = () => this.app.ctx.database.table<ThreadRow>('threads');
    const threads = await table()
      .whereIn('conversation_id', [...new Set(items.map((i) => i.conversationId))])
      .all();
    const byConversation = new Map(threads.map((t) => [t.conversation_id, t]));
    const fromCustomers = items.filter((i) => byConversation.get(i.conversationId)?.customer_id === i.message.senderId);
    if (fromCustomers.length === 0) return;
    const latest = new Map<string, ThreadRow>();
    for (const { conversationId, message } of fromCustomers) {
      const t = latest.get(conversationId) ?? byConversation.get(conversationId)!;
      const at = Date.parse(message.createdAt);
      latest.set(conversationId, {
        ...t,
        last_customer_at: Math.max(at, t.last_customer_at ?? 0),
        status: 'open',
        snoozed_until: null,
        updated_at: at,
      });
    }
    // In id order, so that two bursts in flight lock shared rows in the same order (no deadlock).
    const rows = [...latest.values()]
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((t) => ({
        id: t.id,
        last_customer_at: t.last_customer_at,
        status: t.status,
        snoozed_until: null,
        updated_at: t.updated_at,
      }));
    // A write group, so a large burst split by updateEach still commits whole, in one round trip
    // on PostgreSQL (a transaction costs four).
    const written = this.app.ctx.database.writeTogether((group) =>
      group.table<ThreadRow>('threads').updateEach('id', rows),
    );
    // New conversations are assigned meanwhile: an agent should not wait for the burst's write.
    const firstOf = new Map<string, Incoming>();
    for (const item of fromCustomers) if (!firstOf.has(item.conversationId)) firstOf.set(item.conversationId, item);
    // One conversation's failure (say, presence refused by the operator) costs no other its events.
    const assigned = Promise.all(
      [...firstOf.values()].map((item) =>
        this.assign(latest.get(item.conversationId)!, item).catch((err: unknown) =>
          this.failed('assignment', item, err),
        ),
      ),
    );
    await Promise.all([written, assigned]);
    // Each conversation's messages in order (bots and webhooks see them so); conversations side by side.
    const inOrder = new Map<string, Incoming[]>();
    for (const item of fromCustomers) {
      const list = inOrder.get(item.conversationId);
      if (list) list.push(item);
      else inOrder.set(item.conversationId, [item]);
    }
    await Promise.all([
      this.tellAgents([...latest.values()]),
      ...[...inOrder.values()].map(async (list) => {
        for (const item of list)
          await this.follow(latest.get(item.conversationId)!, item).catch((err: unknown) =>
            this.failed('follow-up', item, err),
          );
      }),
    ]);
  }

  /** One event per business per burst (not per message), so a busy inbox costs its agents' room little. */
  private async tellAgents(threads: ThreadRow[]): Promise<void> {
    const byBusiness = Map.groupBy(threads, (t) => t.business_id);
    await Promise.all(
      [...byBusiness].map(([businessId, list]) =>
        tellAgents(this.app, businessId, 'customer_messages', { threadIds: list.map((t) => t.id) }).catch(
          (err: unknown) =>
            this.app.ctx.log.warn('could not tell the agents', {
              businessId,
              error: String((err as Error)?.message ?? err),
            }),
        ),
      ),
    );
  }

  private failed(what: string, item: Incoming, err: unknown): void {
    this.app.ctx.log.warn(`customer message ${what} failed`, {
      conversationId: item.conversationId,
      messageId: item.message.id,
      error: String((err as Error)?.message ?? err),
    });
  }

  /**
   * Round-robin for an unassigned conversation the agents have; one assignment per conversation
   * per burst. A conversation that needs none now (assigned, with the bot, or routed by hand) is
   * settled: its next messages skip the fast path (a handover assigns by itself, and the burst
   * path still checks).
   */
  private async assign(thread: ThreadRow, { arrived }: Incoming): Promise<void> {
    const config = configOf(await this.app.businesses.recent(thread.business_id));
    if (thread.assignee !== null || thread.control !== 'agents' || config.routing.mode !== 'round_robin') {
      this.settle(thread.conversation_id);
      return;
    }
    const assignee = await this.app.roundRobin.assign(thread, config.routing.team);
    if (assignee === null) return;
    thread.assignee = assignee;
    this.settle(thread.conversation_id);
    this.app.assignDurations.add(performance.now() - arrived);
    await emitEvent(this.app, thread.business_id, 'assigned', { threadId: thread.id, assignee, by: 'round_robin' });
  }

  private settle(conversationId: string): void {
    if (this.settled.size > SETTLED_MAX) this.settled.clear();
    this.settled.add(conversationId);
  }

  private async follow(thread: ThreadRow, { message }: Incoming): Promise<void> {
    const { ctx } = this.app;
    await emitEvent(this.app, thread.business_id, 'message', {
      threadId: thread.id,
      customerId: thread.customer_id,
      conversationId: thread.conversation_id,
      standby: thread.control !== 'bot',
      message: { id: message.id, seq: message.seq, content: message.content, createdAt: message.createdAt },
    });
    if (thread.control !== 'agents') return;
    const config = configOf(await this.app.businesses.recent(thread.business_id));
    const now = Date.now();
    if (config.awayMessage === null || isOpen(config.hours, now)) return;
    const day = localDay(config.hours, now);
    if (thread.away_day === day) return;
    const claim = ctx.database.table<ThreadRow>('threads').where({ id: thread.id });
    if (thread.away_day === null) claim.whereNull('away_day');
    else claim.where({ away_day: thread.away_day });
    if ((await claim.update({ away_day: day })) === 0) return;
    await sendFromBusiness(
      this.app,
      thread,
      { text: config.awayMessage, clientMsgId: `away-${thread.id}-${day}` },
      { kind: 'business' },
    );
  }
}
