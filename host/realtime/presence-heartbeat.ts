import { inject, injectable } from 'tsyringe';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../bus/event-bus.js';
import type { HostConfig } from '../config/host-config.js';

/** What the heartbeat reads from and corrects in presence (presence.ts). */
export interface HeartbeatTarget {
  usersHere(): string[];
  /** The SetDigest value of usersHere(). */
  digestHere(): string;
  /** The SetDigest value of the users this host believes online on `hostId`. */
  digestOf(hostId: string): string;
  applyHeartbeat(hostId: string, userIds: readonly string[], at: number): void;
  dropHost(hostId: string, lastHeardAt: number): void;
}

/** Silent for this many intervals, a host counts as gone. */
const SILENT_INTERVALS = 3;

/**
 * Presence events cross hosts over pub/sub, which keeps nothing: a host that starts late, or was
 * cut off, misses them, and a killed host never says its users went offline. So every host
 * sends a heartbeat every `bus.presenceIntervalMs` with a digest of its online users (their
 * count and a hash, a few bytes however many they are); a host whose view of the sender differs
 * asks that host for its full list. Once it hears the others after starting, and when the bus is
 * back, a host sends its full list and asks the others for theirs. The others drop a host's users
 * when nothing came from it for three intervals. Pub/sub keeps each sender's order, so a digest arrives after every update
 * its sender published before it: a mismatch means an update was lost, not merely late.
 */
@injectable()
export class PresenceHeartbeat {
  /** When each other host was last heard from. */
  private readonly heardAt = new Map<string, number>();
  private readonly unsubscribe: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(Tokens.HostId) private readonly hostId: string,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {}

  start(target: HeartbeatTarget): void {
    // Only a bus between hosts calls back on reconnects; a host alone has no one to tell.
    const onReconnected = this.bus.onReconnected?.bind(this.bus);
    if (!onReconnected) return;
    const beat = (full: boolean, ask: boolean) =>
      this.bus.publish({
        type: 'presence.heartbeat',
        hostId: this.hostId,
        at: this.clock.now(),
        digest: target.digestHere(),
        ...(full ? { userIds: target.usersHere() } : {}),
        ask,
      });
    this.unsubscribe.push(
      this.bus.subscribe('presence.heartbeat', (e) => {
        if (e.hostId === this.hostId) return;
        this.heardAt.set(e.hostId, this.clock.now());
        if (e.userIds) target.applyHeartbeat(e.hostId, e.userIds, e.at);
        else if (e.digest !== target.digestOf(e.hostId))
          this.bus.publish({
            type: 'presence.heartbeat',
            hostId: this.hostId,
            at: this.clock.now(),
            digest: target.digestHere(),
            ask: false,
            askHost: e.hostId,
          });
        if (e.ask || e.askHost === this.hostId) beat(true, false);
      }),
      // A host that announced a user and died before its first heartbeat must expire too.
      this.bus.subscribe('presence', (e) => {
        if (e.hostId !== this.hostId) this.heardAt.set(e.hostId, this.clock.now());
      }),
      // Once it hears the others (a host starting late learns who is online elsewhere without
      // waiting for an interval; asked earlier, their answers would pass unheard), and back from
      // an outage: a host tells its list and asks for the others'. Whichever host got back last
      // has both directions caught up, however the reconnects interleave.
      onReconnected(() => beat(true, true)),
    );
    const intervalMs = this.config.bus.presenceIntervalMs;
    this.timer = setInterval(() => {
      beat(false, false);
      const now = this.clock.now();
      for (const [hostId, at] of this.heardAt) {
        if (now - at <= SILENT_INTERVALS * intervalMs) continue;
        this.heardAt.delete(hostId);
        target.dropHost(hostId, at);
      }
    }, intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.unsubscribe.splice(0)) off();
  }
}
