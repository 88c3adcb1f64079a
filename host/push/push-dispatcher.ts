import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import type { PluginNotification } from '../../sdk/plugin/capabilities/notifications.js';
import type { Message } from '../../sdk/protocol/message.js';
import type { HostEvent } from '../bus/event-bus.js';
import type { HostConfig, PushConfig } from '../config/host-config.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type {
  CommittedEventOutbox,
  NewMessageListener,
  NotificationDispatch,
  OutboxBatch,
} from '../core/extension-points.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { MemberDirectory } from '../conversations/member-directory.js';
import { Presence } from '../realtime/presence.js';
import { BoundedQueue } from '../core/bounded-queue.js';
import { ThrottledWarning } from '../core/throttled-warning.js';
import { usersInQuietHours } from './notification-settings.js';
import { conversationUrl, messagePayload, shorten, PREVIEW_CHARS, type PushPayload } from './push-payload.js';
import { possibleRecipients, quietIn, recipientsOf } from './push-recipients.js';
import { PushDelivery, type Delivery } from './push-delivery.js';
import { subscriptionsByUser, subscriptionsOf, type SubscriptionRow } from './push-subscriptions.js';
import { loadVapidKeys, type VapidDetails } from './vapid-keys.js';

/** What waits to be decided: a committed message, or a plugin's notification for one person. */
type Job =
  | { kind: 'message'; message: Message }
  | { kind: 'notification'; userId: string; conversationId: string | null; payload: PushPayload };

/** Decisions read the database; a few at a time keep them off the writer's back. */
const DECISION_CONCURRENCY = 2;
/**
 * Messages one decision takes: their away members' subscriptions are one query. Most people
 * have none, and a query per message had the decisions read as much as the writer wrote.
 */
const DECISION_BATCH = 256;
const DROP_LOG_EVERY_MS = 10_000;

/**
 * Web Push, beside the hot path. The conversation writer hands it each commit's events (it is
 * one of the writer's outboxes, see core/committed-event-fanout.ts), and only on the host that
 * committed them, so each message is considered once per cluster. That costs the commit a filter
 * and the ack nothing: the messages wait in a bounded queue, and a full queue drops (counted,
 * logged) rather than holding anything up. Unlike plugin events nothing is recorded: a push lost
 * to a crash is not worth a write per message.
 *
 * For each message: the members with no socket open anywhere (presence, in memory, so a busy
 * conversation whose members are all online costs no query), then those with a subscription, a
 * reason (push-recipients.ts), no mute, no archive unless the message is addressed to them, and
 * no quiet hours; then one push per browser, from a second bounded queue with `push.concurrency`
 * pushes in flight (push-delivery.ts).
 */
@injectable()
export class PushDispatcher implements CommittedEventOutbox, NotificationDispatch {
  private readonly config: PushConfig;
  private readonly knex: Knex;
  private readonly log: Logger;
  private vapid: VapidDetails | null = null;
  private readonly decisions: BoundedQueue<Job>;
  private readonly deliveries: BoundedQueue<Delivery>;
  private readonly pushes: PushDelivery;
  private readonly drops: ThrottledWarning;

  constructor(
    @inject(Tokens.Database) db: Database,
    @inject(Tokens.Config) config: HostConfig,
    @inject(Tokens.Logger) log: Logger,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(Presence) private readonly presence: Presence,
    @inject(MemberDirectory) private readonly members: MemberDirectory,
  ) {
    this.config = config.push;
    this.knex = db.knex;
    this.log = log.child({ component: 'push' });
    this.pushes = new PushDelivery(this.knex, this.config, metrics.push, this.log);
    this.drops = new ThrottledWarning(DROP_LOG_EVERY_MS, (dropped) =>
      this.log.warn(
        { dropped, queueSize: this.config.queueSize },
        'push queue full: notifications dropped (see switchboard_push_dropped_total)',
      ),
    );
    this.decisions = new BoundedQueue({
      size: this.config.queueSize,
      concurrency: DECISION_CONCURRENCY,
      maxBatch: DECISION_BATCH,
      run: (jobs) => this.decide(jobs),
    });
    this.deliveries = new BoundedQueue({
      size: this.config.queueSize,
      concurrency: this.config.concurrency,
      run: ([delivery]) => (this.vapid === null ? Promise.resolve() : this.pushes.deliver(delivery!, this.vapid)),
    });
    metrics.push.countPendingWith(() => this.decisions.busy + this.deliveries.busy);
  }

  /** The VAPID public key browsers subscribe with; null while push is off. */
  get publicKey(): string | null {
    return this.vapid?.publicKey ?? null;
  }

  /** Reads (or makes) the VAPID keys; until then, and with push.enabled false, nothing is pushed. */
  async start(): Promise<void> {
    if (!this.config.enabled) return;
    this.vapid = await loadVapidKeys(this.knex, this.config, this.clock.now());
  }

  /** Pushes already running finish (each within push.timeoutMs); what waits is dropped. */
  async stop(): Promise<void> {
    this.vapid = null;
    await this.decisions.stop();
    await this.deliveries.stop();
  }

  /** Pushes need no row of their own in the commit: the decision is made after it. */
  newMessageListeners(): readonly NewMessageListener[] {
    return [];
  }

  record(_trx: Knex.Transaction | null, events: readonly HostEvent[]): Promise<OutboxBatch | null> {
    if (this.vapid === null) return Promise.resolve(null);
    const messages: Message[] = [];
    for (const event of events)
      if (event.type === 'message.changed' && event.change === 'created' && pushable(event.message))
        messages.push(event.message);
    return Promise.resolve(messages.length > 0 ? messages : null);
  }

  committed(batch: OutboxBatch | null): void {
    if (batch === null || this.vapid === null) return;
    for (const message of batch as Message[]) this.offer(this.decisions, { kind: 'message', message });
  }

  notify(userId: string, notification: PluginNotification): Promise<void> {
    if (this.vapid === null) return Promise.resolve();
    const conversationId = notification.conversationId ?? null;
    this.offer(this.decisions, {
      kind: 'notification',
      userId,
      conversationId,
      payload: {
        type: notification.kind ?? 'plugin',
        conversationId,
        messageId: null,
        title: shorten(notification.title, PREVIEW_CHARS),
        body: shorten(notification.body, PREVIEW_CHARS),
        url: notification.url ?? (conversationId === null ? '/' : conversationUrl(conversationId)),
      },
    });
    return Promise.resolve();
  }

  private offer<T>(queue: BoundedQueue<T>, item: T): void {
    if (queue.offer(item) || this.vapid === null) return;
    this.metrics.push.droppedOne();
    this.drops.add();
  }

  private async decide(jobs: Job[]): Promise<void> {
    const messages: Message[] = [];
    for (const job of jobs) {
      if (job.kind === 'message') messages.push(job.message);
      else await this.logFailure('notification', () => this.decideNotification(job));
    }
    if (messages.length > 0) await this.logFailure('message', () => this.decideMessages(messages));
  }

  private async logFailure(job: Job['kind'], decide: () => Promise<void>): Promise<void> {
    try {
      await decide();
    } catch (err) {
      this.log.error({ err, job }, 'could not decide whom to push to');
    }
  }

  /** The away members of each message, then one query for all their subscriptions. */
  private async decideMessages(messages: readonly Message[]): Promise<void> {
    const candidates: { message: Message; away: readonly string[] }[] = [];
    for (const message of messages) {
      const members = await new Promise<string[]>((resolve) =>
        this.members.withMembers(message.conversationId, (set) => resolve([...set])),
      );
      const away = possibleRecipients(
        message,
        this.away(members.filter((id) => id !== message.senderId)),
        members.length,
      );
      if (away.length > 0) candidates.push({ message, away });
    }
    if (candidates.length === 0) return;
    const byUser = await subscriptionsByUser(this.knex, [...new Set(candidates.flatMap((c) => c.away))]);
    for (const { message, away } of candidates) {
      const theirs = away.flatMap((id) => byUser.get(id) ?? []);
      if (theirs.length > 0) await this.logFailure('message', () => this.decideMessage(message, theirs));
    }
  }

  private async decideMessage(message: Message, subscriptions: readonly SubscriptionRow[]): Promise<void> {
    const now = this.clock.now();
    const subscribed = [...new Set(subscriptions.map((s) => s.user_id))];
    const { recipients, groupTitle } = await recipientsOf(this.knex, message, subscribed, now);
    if (recipients.length === 0) return;
    const quiet = await usersInQuietHours(
      this.knex,
      recipients.map((r) => r.userId),
      now,
    );
    const reasons = new Map(recipients.filter((r) => !quiet.has(r.userId)).map((r) => [r.userId, r.reason]));
    if (reasons.size === 0) return;
    const sender = await this.knex<{ id: string; display_name: string }>('users')
      .where({ id: message.senderId })
      .first('display_name');
    for (const subscription of subscriptions) {
      const reason = reasons.get(subscription.user_id);
      if (reason === undefined) continue;
      const payload = messagePayload(message, reason, sender?.display_name ?? 'Someone', groupTitle);
      this.offer(this.deliveries, { subscription, payload });
    }
  }

  private async decideNotification(job: Extract<Job, { kind: 'notification' }>): Promise<void> {
    if (this.away([job.userId]).length === 0) return;
    const now = this.clock.now();
    // A plugin's notification names its one person: an archived conversation does not hold it back, a mute does.
    if (
      job.conversationId !== null &&
      (await quietIn(this.knex, job.conversationId, [job.userId], now)).silenced.size > 0
    )
      return;
    if ((await usersInQuietHours(this.knex, [job.userId], now)).size > 0) return;
    for (const subscription of await subscriptionsOf(this.knex, [job.userId]))
      this.offer(this.deliveries, { subscription, payload: job.payload });
  }

  /** Those of `userIds` with no socket open on any host. */
  private away(userIds: readonly string[]): string[] {
    return this.presence
      .statusesOf(userIds)
      .filter((s) => s.status === 'offline')
      .map((s) => s.userId);
  }
}

/** Messages worth a push: not deleted, and not the host's own system messages (joins, renames). */
function pushable(message: Message): boolean {
  return message.content !== null && !message.content.type.startsWith('system.');
}
