import { inject, injectable } from 'tsyringe';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type { EventBus } from '../bus/event-bus.js';
import type { HostConfig } from '../config/host-config.js';

/** What the heartbeat reads from and corrects in presence (presence.ts). */
export interface HeartbeatTarget {
  usersHere(): string[];
  applyHeartbeat(hostId: string, userIds: readonly string[], at: number): void;
  dropHost(hostId: string, lastHeardAt: number): void;
}

/** Silent for this many intervals, a host counts as gone. */
const SILENT_INTERVALS = 3;

/**
 * Presence events cross hosts over pub/sub, which keeps nothing: a host that starts late, or was
 * cut off, misses them, and a killed host never says its users went offline. So every host
 * sends the full list of its online users every `bus.presenceIntervalMs`, and at start and when the
 * bus is back it sends it asking the others for theirs; the others drop a host's users when nothing
 * came from it for three intervals.
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
    const beat = (ask: boolean) =>
      this.bus.publish({
        type: 'presence.heartbeat',
        hostId: this.hostId,
        userIds: target.usersHere(),
        at: this.clock.now(),
        ask,
      });
    this.unsubscribe.push(
      this.bus.subscribe('presence.heartbeat', (e) => {
        if (e.hostId === this.hostId) return;
        this.heardAt.set(e.hostId, this.clock.now());
        target.applyHeartbeat(e.hostId, e.userIds, e.at);
        if (e.ask) beat(false);
      }),
      // A host that announced a user and died before its first heartbeat must expire too.
      this.bus.subscribe('presence', (e) => {
        if (e.hostId !== this.hostId) this.heardAt.set(e.hostId, this.clock.now());
      }),
      // Back from an outage, a host tells its list and asks for the others': whichever host got
      // back last has both directions caught up, however the reconnects interleave.
      onReconnected(() => beat(true)),
    );
    // A host starting late learns who is online elsewhere without waiting for an interval.
    beat(true);
    const intervalMs = this.config.bus.presenceIntervalMs;
    this.timer = setInterval(() => {
      beat(false);
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
