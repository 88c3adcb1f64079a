import type { PresenceFrame, PresenceResult, PresenceStatus } from '../protocol/frames.js';

/** The most users one `presence.subscribe` frame may list. */
const SUBSCRIBE_BATCH = 100;

export type PresenceEntry = { status: PresenceStatus; lastSeenAt: string | null };

/** The users followed (subscribed again on every connection) and what is known of each. */
export class PresenceTracker {
  private readonly subscribed = new Set<string>();
  private readonly statuses = new Map<string, PresenceEntry>();

  follow(userIds: string[]): void {
    for (const id of userIds) this.subscribed.add(id);
  }

  /** Every followed user, in frames of at most 100. */
  batches(): string[][] {
    const ids = [...this.subscribed];
    const batches: string[][] = [];
    for (let i = 0; i < ids.length; i += SUBSCRIBE_BATCH) batches.push(ids.slice(i, i + SUBSCRIBE_BATCH));
    return batches;
  }

  /** Records a subscription's answer; returns, as frames, the entries that changed. */
  record(presence: PresenceResult['presence']): PresenceFrame[] {
    const changed: PresenceFrame[] = [];
    for (const p of presence) {
      const frame: PresenceFrame = { type: 'presence', userId: p.userId, status: p.status, lastSeenAt: p.lastSeenAt };
      if (this.apply(frame)) changed.push(frame);
    }
    return changed;
  }

  /** Returns whether the frame changed what is known. */
  apply(frame: PresenceFrame): boolean {
    const known = this.statuses.get(frame.userId);
    if (known && known.status === frame.status && known.lastSeenAt === frame.lastSeenAt) return false;
    this.statuses.set(frame.userId, { status: frame.status, lastSeenAt: frame.lastSeenAt });
    return true;
  }

  of(userId: string): PresenceEntry | undefined {
    const entry = this.statuses.get(userId);
    return entry && { ...entry };
  }
}
