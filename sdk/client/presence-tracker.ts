import type { PresenceFrame, PresenceResult, PresenceStatus } from '../protocol/frames.js';

/** The most users one `presence.subscribe` frame may list. */
const SUBSCRIBE_BATCH = 100;

type PresenceEntry = { status: PresenceStatus; lastSeenAt: string | null };

/** The users followed (subscribed again on every connection) and what is known of each. */
export class PresenceTracker {
  private readonly subscribed = new Set<string>();
  private readonly statuses = new Map<string, PresenceEntry>();

  follow(userIds: readonly string[]): void {
    for (const id of userIds) this.subscribed.add(id);
  }

  /** Every followed user. */
  followed(): string[] {
    return [...this.subscribed];
  }

  /** Those of `userIds` not followed yet, each once. */
  unfollowed(userIds: readonly string[]): string[] {
    return [...new Set(userIds)].filter((id) => !this.subscribed.has(id));
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

  /** What is known of these users, in their order, each once (those not known left out). */
  /** Subscribes (with `subscribe`) to the users not followed yet, follows them, and returns what is known of all. */
  async subscribe(
    userIds: readonly string[],
    subscribe: (fresh: string[]) => Promise<void>,
  ): Promise<PresenceResult['presence']> {
    const fresh = this.unfollowed(userIds);
    if (fresh.length > 0) {
      await subscribe(fresh);
      this.follow(fresh);
    }
    return this.known(userIds);
  }

  known(userIds: readonly string[]): PresenceResult['presence'] {
    return [...new Set(userIds)].flatMap((userId) => {
      const entry = this.statuses.get(userId);
      return entry ? [{ userId, ...entry }] : [];
    });
  }
}

/** Users in groups one `presence.subscribe` frame may carry. */
export function subscribeBatches(userIds: readonly string[]): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < userIds.length; i += SUBSCRIBE_BATCH) batches.push(userIds.slice(i, i + SUBSCRIBE_BATCH));
  return batches;
}
