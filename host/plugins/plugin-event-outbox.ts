import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import type { PluginEventName } from '../../sdk/plugin/plugin-context.js';
import type { HostEvent } from '../bus/event-bus.js';
import type { HostConfig } from '../config/host-config.js';
import { Tokens } from '../core/container-tokens.js';
import type {
  CommittedEventOutbox,
  HeardInStatement,
  NewMessageListener,
  OutboxBatch,
  StatementRecording,
} from '../core/extension-points.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { PluginEventDispatcher, type PluginEventDelivery } from './plugin-event-dispatcher.js';
import { pendingPluginEvents, type EventListener } from './plugin-event-targets.js';
import { PluginRegistry } from './plugin-registry.js';
import { HandledPluginEvents } from './handled-plugin-events.js';
import { eventsOfRows, HEARD_STORED_EVENTS_SQL, storedEvents, type OutboxRow } from './plugin-event-rows.js';
import { MessageStore } from '../messages/message-store.js';
import { messageChangeEvent } from '../messages/message-change.js';

/** One commit's events, with the outbox row that holds them. */
interface Held {
  seq: number;
  events: PluginEventDelivery[];
}

interface Recorded {
  readonly held: Held | null;
  /** Rows of handled events this commit deleted. */
  readonly deleted: number[];
}

const CLAIM_BATCH = 100;

/**
 * Plugin events, handled once per cluster and at least once. The writer records each in the
 * transaction that commits its change; the committing host hands it on at once and deletes it
 * when its handlers have finished (in a later write's transaction: see HandledPluginEvents),
 * renewing its lease on what it still holds. A host that dies
 * in between leaves rows whose lease runs out; every host sweeps for those, claims them and hands
 * them on with the same event id, in commit order. Without plugins listening, a commit costs
 * nothing here.
 */
@injectable()
export class PluginEventOutbox implements CommittedEventOutbox {
  private readonly handled: HandledPluginEvents;
  private readonly leaseMs: number;
  private readonly delivering = new Set<Promise<void>>();
  private stopping = false;
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) config: HostConfig,
    @inject(Tokens.HostId) private readonly hostId: string,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(PluginEventDispatcher) private readonly dispatcher: PluginEventDispatcher,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
    @inject(MessageStore) private readonly store: MessageStore,
  ) {
    this.leaseMs = config.plugins.eventLeaseMs;
    metrics.pluginEvents.countPendingWith(async () => {
      const [row] = await this.db.knex('plugin_event_outbox').count<{ n: number | string }[]>({ n: '*' });
      return Number(row?.n ?? 0);
    });
    this.handled = new HandledPluginEvents(db, log);
  }

  async record(
    trx: Knex.Transaction | null,
    events: readonly HostEvent[],
    heard?: HeardInStatement | null,
  ): Promise<Recorded | null> {
    if (trx === null) return heard ? { held: this.heldOf(events, heard), deleted: [] } : null;
    const deleted = await this.handled.deleteIn(trx);
    const listeners = this.listeners();
    const pending = listeners.length === 0 ? [] : await pendingPluginEvents(trx, events, listeners);
    if (pending.length === 0) return deleted.length === 0 ? null : { held: null, deleted };
    const now = Date.now();
    const recorded = pending.map((p) => ({ eventId: randomUUID(), ...p }));
    const [inserted] = await trx('plugin_event_outbox')
      .insert({
        events: storedEvents(recorded),
        host_id: this.hostId,
        lease_until: now + this.leaseMs,
        created_at: now,
      })
      .returning<{ seq: number | string }[]>('seq');
    return { held: { seq: Number(inserted!.seq), events: recorded }, deleted };
  }

  newMessageListeners(): readonly NewMessageListener[] {
    return this.listeners()
      .filter((l) => l.names.has('message.created'))
      .map((l) => ({ botUserId: l.botUserId, hearer: l.pluginId }));
  }

  /** The writer's one-statement commit records its heard messages as one row, as a transaction would. */
  statementRecording(now: number): StatementRecording {
    return {
      sql: `insert into plugin_event_outbox (events, host_id, lease_until, created_at)
        select ${HEARD_STORED_EVENTS_SQL[this.db.kind]}, ?, cast(? as bigint), cast(? as bigint)
        from heard having count(*) > 0 returning seq`,
      bindings: [this.hostId, now + this.leaseMs, now],
    };
  }

  /** The statement's row, as the events it holds: each heard new message, in commit order. */
  private heldOf(events: readonly HostEvent[], heard: HeardInStatement): Held {
    const held: PluginEventDelivery[] = [];
    for (const e of events) {
      if (e.type !== 'message.changed' || e.change !== 'created') continue;
      const to = heard.messages.get(e.message.id);
      if (to)
        held.push({
          eventId: to.eventId,
          pluginIds: to.hearers,
          ...messageChangeEvent(e.conversationId, 'created', e.message),
        });
    }
    return { seq: heard.seq, events: held };
  }

  committed(batch: OutboxBatch | null): void {
    if (batch === null) return;
    const { held, deleted } = batch as Recorded;
    this.handled.forget(deleted);
    if (held === null || this.stopping) return;
    // After the committing turn, as the bus's subscribers had the change first.
    queueMicrotask(() => this.handOn([held]));
  }

  /** Starts sweeping for events of hosts that died, and renewing this host's leases. */
  start(): void {
    const every = Math.max(100, Math.floor(this.leaseMs / 3));
    this.timer = setInterval(() => this.sweepOnce(), every);
    this.timer.unref();
    // Events a previous run of this host (or a dead one) left are handed on soon after start.
    this.sweepOnce();
  }

  /**
   * Hands on nothing more: events committed from now on stay recorded, for another host or the
   * next start. Waits for the handlers running (they may still commit changes) and the deletes.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.sweeping;
    await Promise.all(this.delivering);
    await this.handled.stop();
  }

  private sweepOnce(): void {
    if (this.stopping) return;
    this.sweeping ??= this.sweep().finally(() => (this.sweeping = null));
  }

  private handOn(held: readonly Held[]): void {
    if (this.stopping) return;
    for (const { seq, events } of held) {
      // Every handler starts now, in commit order; the row goes once all have finished.
      const delivery = Promise.all(events.map((event) => this.dispatcher.deliver(event))).then(() => {
        this.delivering.delete(delivery);
        this.handled.add(seq);
      });
      this.delivering.add(delivery);
    }
  }

  private listeners(): EventListener[] {
    const listeners: EventListener[] = [];
    for (const r of this.registry.running()) {
      if (!r.botUserId) continue;
      const names = new Set<PluginEventName>();
      for (const [name, handlers] of r.handlers.events) if (handlers.size > 0) names.add(name);
      if (names.size > 0) listeners.push({ pluginId: r.id, botUserId: r.botUserId, names });
    }
    return listeners;
  }

  private async sweep(): Promise<void> {
    try {
      const now = Date.now();
      if (this.delivering.size > 0) {
        await this.db
          .knex('plugin_event_outbox')
          .where({ host_id: this.hostId })
          .update({ lease_until: now + this.leaseMs });
        this.metrics.pluginEvents.leaseRenewed();
      }
      for (;;) {
        const claimed = await this.claimExpired(now);
        if (claimed.length > 0) {
          const events = claimed.reduce((n, h) => n + h.events.length, 0);
          this.log.warn({ events }, 'handing on plugin events of a host that stopped before it could');
          this.metrics.pluginEvents.tookOver(events);
          this.handOn(claimed);
        }
        if (claimed.length < CLAIM_BATCH) break;
      }
    } catch (err) {
      this.log.error({ err }, 'plugin event sweep failed; retrying at the next one');
    }
  }

  /** Takes over rows whose lease ran out, oldest first; other hosts sweeping skip rows taken. */
  private async claimExpired(now: number): Promise<Held[]> {
    const lock = this.db.kind === 'postgres' ? 'for update skip locked' : '';
    const result: unknown = await this.db.knex.raw(
      `update plugin_event_outbox set host_id = ?, lease_until = ?
        where seq in (select seq from plugin_event_outbox where lease_until < ? order by seq limit ${CLAIM_BATCH} ${lock})
        returning seq, events`,
      [this.hostId, now + this.leaseMs, now],
    );
    const rows = (Array.isArray(result) ? result : (result as { rows: OutboxRow[] }).rows) as OutboxRow[];
    return eventsOfRows(this.db.knex, this.store, rows);
  }
}
