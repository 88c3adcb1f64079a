import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PresenceResult, PresenceStatus } from '../../sdk/protocol/frames.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import type { EventBus } from '../bus/event-bus.js';
import type { Connection } from './connection.js';
import type { Clock } from '../core/clock.js';

const MAX_SUBSCRIPTIONS_PER_CONNECTION = 1_000;

/**
 * Online/offline status. Each host announces its users' first connect and last disconnect on
 * the bus; every host keeps which hosts see a user online. Clients subscribe to users they
 * share a conversation with.
 */
@injectable()
export class Presence {
  private readonly onlineAt = new Map<string, Set<string>>();
  private readonly lastSeen = new Map<string, number>();
  private readonly subscribers = new Map<string, Set<Connection>>();
  private off: (() => void) | null = null;

  constructor(
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.HostId) private readonly hostId: string,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {}

  start(): void {
    this.off = this.bus.subscribe('presence', (e) => {
      let hosts = this.onlineAt.get(e.userId);
      const wasOnline = !!hosts?.size;
      if (e.status === 'online') {
        if (!hosts) this.onlineAt.set(e.userId, (hosts = new Set()));
        hosts.add(e.hostId);
      } else {
        hosts?.delete(e.hostId);
        if (hosts?.size === 0) this.onlineAt.delete(e.userId);
        this.lastSeen.set(e.userId, e.at);
      }
      if (wasOnline === this.onlineAt.has(e.userId)) return;
      const frame = JSON.stringify({ type: 'presence', ...this.statusOf(e.userId) });
      for (const conn of this.subscribers.get(e.userId) ?? []) conn.sendRaw(frame, 'presence');
    });
  }

  stop(): void {
    this.off?.();
  }

  userOnline(userId: string): void {
    this.bus.publish({ type: 'presence', userId, status: 'online', at: this.clock.now(), hostId: this.hostId });
  }

  userOffline(userId: string): void {
    this.bus.publish({ type: 'presence', userId, status: 'offline', at: this.clock.now(), hostId: this.hostId });
  }

  async subscribe(conn: Connection, userIds: readonly string[]): Promise<PresenceResult> {
    const wanted = [...new Set(userIds)];
    const visible = await this.sharingAConversation(conn.userId, wanted);
    const hidden = wanted.filter((id) => !visible.has(id));
    if (hidden.length > 0) {
      throw new SwitchboardError('forbidden', 'You can see the presence only of users you share a conversation with.', {
        details: hidden.map((id) => ({
          path: `/userIds/${userIds.indexOf(id)}`,
          message: 'shares no conversation with you',
        })),
      });
    }
    const subs = (conn.presenceSubscriptions ??= new Set());
    if (subs.size + wanted.length > MAX_SUBSCRIPTIONS_PER_CONNECTION) {
      throw new SwitchboardError(
        'invalid_request',
        `A connection may follow at most ${MAX_SUBSCRIPTIONS_PER_CONNECTION} users.`,
      );
    }
    for (const id of wanted) {
      subs.add(id);
      let set = this.subscribers.get(id);
      if (!set) this.subscribers.set(id, (set = new Set()));
      set.add(conn);
    }
    return { presence: wanted.map((id) => this.statusOf(id)) };
  }

  unsubscribe(conn: Connection, userIds: readonly string[]): void {
    for (const id of userIds) {
      conn.presenceSubscriptions?.delete(id);
      const set = this.subscribers.get(id);
      set?.delete(conn);
      if (set?.size === 0) this.subscribers.delete(id);
    }
  }

  dropConnection(conn: Connection): void {
    if (conn.presenceSubscriptions) this.unsubscribe(conn, [...conn.presenceSubscriptions]);
  }

  /**
   * The status of each user now, once each, in the order asked (unknown ids are offline). No
   * visibility check: the caller decides who may ask (plugins need the `presence` permission).
   */
  statusesOf(userIds: readonly string[]): { userId: string; status: PresenceStatus; lastSeenAt: string | null }[] {
    return [...new Set(userIds)].map((id) => this.statusOf(id));
  }

  private statusOf(userId: string): { userId: string; status: PresenceStatus; lastSeenAt: string | null } {
    const online = this.onlineAt.has(userId);
    const seen = this.lastSeen.get(userId);
    return {
      userId,
      status: online ? 'online' : 'offline',
      lastSeenAt: online ? null : seen ? new Date(seen).toISOString() : null,
    };
  }

  private async sharingAConversation(userId: string, others: string[]): Promise<Set<string>> {
    const visible = new Set<string>(others.includes(userId) ? [userId] : []);
    const rows = await this.db
      .knex('members as mine')
      .join('members as theirs', 'theirs.conversation_id', 'mine.conversation_id')
      .where('mine.user_id', userId)
      .whereIn('theirs.user_id', others)
      .distinct<{ id: string }[]>('theirs.user_id as id');
    for (const r of rows) visible.add(r.id);
    return visible;
  }
}
