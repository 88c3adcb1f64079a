import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PresenceResult, PresenceStatus } from '../../sdk/protocol/frames.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import type { EventBus } from '../bus/event-bus.js';
import { MemberDirectory } from '../conversations/member-directory.js';
import type { Connection } from './connection.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../logging/logger.js';
import { PresenceHeartbeat, type HeartbeatTarget } from './presence-heartbeat.js';
import { SetDigest } from './set-digest.js';
import { PresenceBlocks, type PairChange } from './presence-blocks.js';

const MAX_SUBSCRIPTIONS_PER_CONNECTION = 1_000;

/**
 * Online/offline status. Each host announces its users' first connect and last disconnect on
 * the bus; every host keeps which hosts see a user online, corrected by the hosts' heartbeats
 * (presence-heartbeat.ts) for what the bus did not carry. Clients subscribe to users they
 * share a conversation with; two people where one blocks the other see each other offline, with
 * no last seen, whatever they share (presence-blocks.ts keeps which pairs, in memory).
 */
@injectable()
export class Presence implements HeartbeatTarget {
  private readonly onlineAt = new Map<string, Set<string>>();
  private readonly lastSeen = new Map<string, number>();
  /** Users online on this host. */
  private readonly here = new Set<string>();
  private readonly hereDigest = new SetDigest();
  /** What this host believes each other host has online (kept with onlineAt), for heartbeats. */
  private readonly byHost = new Map<string, { users: Set<string>; digest: SetDigest }>();
  private readonly subscribers = new Map<string, Set<Connection>>();
  private readonly blocks: PresenceBlocks;
  private readonly offs: (() => void)[] = [];

  constructor(
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(Tokens.Database) private readonly db: Database,
    @inject(MemberDirectory) private readonly members: MemberDirectory,
    @inject(Tokens.HostId) private readonly hostId: string,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(PresenceHeartbeat) private readonly heartbeat: PresenceHeartbeat,
    @inject(Tokens.Logger) private readonly log: Logger,
  ) {
    this.blocks = new PresenceBlocks(() => this.db.knex);
  }

  start(): void {
    this.offs.push(
      this.bus.subscribe('presence', (e) => this.mark(e.userId, e.hostId, e.status === 'online', e.at)),
      this.bus.subscribe('block.changed', (e) => void this.blockChanged(this.blocks.recheck(e.blockerId, e.userId))),
    );
    const offReconnected = this.bus.onReconnected?.(() => void this.blockChanged(this.blocks.relearn(this.follows())));
    if (offReconnected) this.offs.push(offReconnected);
    this.heartbeat.start(this);
  }

  stop(): void {
    this.heartbeat.stop();
    for (const off of this.offs.splice(0)) off();
  }

  userOnline(userId: string): void {
    if (!this.here.has(userId)) this.hereDigest.add(userId);
    this.here.add(userId);
    this.bus.publish({ type: 'presence', userId, status: 'online', at: this.clock.now(), hostId: this.hostId });
  }

  userOffline(userId: string): void {
    if (this.here.delete(userId)) this.hereDigest.delete(userId);
    this.bus.publish({ type: 'presence', userId, status: 'offline', at: this.clock.now(), hostId: this.hostId });
  }

  /** The users with a connection on this host, for its heartbeat. */
  usersHere(): string[] {
    return [...this.here];
  }

  digestHere(): string {
    return this.hereDigest.value;
  }

  digestOf(hostId: string): string {
    return (this.byHost.get(hostId)?.digest ?? new SetDigest()).value;
  }

  /**
   * Another host's full list of its online users: it adds those whose announcement was missed
   * (a late start, an outage) and drops those whose going offline was.
   */
  applyHeartbeat(hostId: string, userIds: readonly string[], at: number): void {
    const listed = new Set(userIds);
    for (const userId of this.onlineOn(hostId)) if (!listed.has(userId)) this.mark(userId, hostId, false, at);
    for (const userId of listed) this.mark(userId, hostId, true, at);
  }

  /** A host gone silent (killed, or cut off): its users are no longer online through it. */
  dropHost(hostId: string, lastHeardAt: number): void {
    for (const userId of this.onlineOn(hostId)) this.mark(userId, hostId, false, lastHeardAt);
  }

  private onlineOn(hostId: string): string[] {
    return [...(this.byHost.get(hostId)?.users ?? [])];
  }

  /** Keeps byHost in step with onlineAt (called only when the user's hosts change). */
  private noteHost(hostId: string, userId: string, online: boolean): void {
    let view = this.byHost.get(hostId);
    if (!view) this.byHost.set(hostId, (view = { users: new Set(), digest: new SetDigest() }));
    if (online) {
      view.users.add(userId);
      view.digest.add(userId);
    } else {
      view.users.delete(userId);
      view.digest.delete(userId);
      if (view.users.size === 0) this.byHost.delete(hostId);
    }
  }

  /** Records that a user is (or is no longer) online on a host, and tells subscribers if that changes the user's status. */
  private mark(userId: string, hostId: string, online: boolean, at: number): void {
    let hosts = this.onlineAt.get(userId);
    const wasOnline = !!hosts?.size;
    if (online) {
      if (!hosts) this.onlineAt.set(userId, (hosts = new Set()));
      if (!hosts.has(hostId)) this.noteHost(hostId, userId, true);
      hosts.add(hostId);
    } else {
      if (hosts?.delete(hostId)) this.noteHost(hostId, userId, false);
      if (hosts?.size === 0) this.onlineAt.delete(userId);
      this.lastSeen.set(userId, at);
    }
    if (wasOnline === this.onlineAt.has(userId)) return;
    const frame = JSON.stringify({ type: 'presence', ...this.statusOf(userId) });
    for (const conn of this.subscribers.get(userId) ?? [])
      if (!this.blocks.hides(conn.userId, userId)) conn.sendRaw(frame, 'presence');
  }

  /** A block began or ended: the pair's followers here see the other offline, or as they are again. */
  private async blockChanged(changes: Promise<PairChange | PairChange[] | null>): Promise<void> {
    let changed: PairChange[];
    try {
      changed = [(await changes) ?? []].flat();
    } catch (err) {
      this.log.warn({ err }, 'could not read a block for presence; it applies at the next subscribe');
      return;
    }
    for (const { a, b, hidden } of changed) {
      for (const [viewer, user] of [
        [a, b],
        [b, a],
      ] as const) {
        const status = hidden ? hiddenStatus(user) : this.statusOf(user);
        for (const conn of this.subscribers.get(user) ?? [])
          if (conn.userId === viewer) conn.sendRaw(JSON.stringify({ type: 'presence', ...status }), 'presence');
      }
    }
  }

  /** Each user followed on this host, with whom they follow. */
  private follows(): Map<string, Set<string>> {
    const follows = new Map<string, Set<string>>();
    for (const [user, conns] of this.subscribers) {
      for (const conn of conns) {
        let set = follows.get(conn.userId);
        if (!set) follows.set(conn.userId, (set = new Set()));
        set.add(user);
      }
    }
    return follows;
  }

  async subscribe(conn: Connection, userIds: readonly string[]): Promise<PresenceResult> {
    const wanted = [...new Set(userIds)];
    // One query: who shares a conversation with the subscriber, and whether a block stands between them.
    const visible = await this.blocks.learn(conn.userId, wanted, () =>
      this.members.sharingWithBlocks(conn.userId, wanted),
    );
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
    return {
      presence: wanted.map((id) => (this.blocks.hides(conn.userId, id) ? hiddenStatus(id) : this.statusOf(id))),
    };
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
}

/** How a user is shown to someone in a block with them: as if never seen online. */
function hiddenStatus(userId: string): { userId: string; status: PresenceStatus; lastSeenAt: string | null } {
  return { userId, status: 'offline', lastSeenAt: null };
}
