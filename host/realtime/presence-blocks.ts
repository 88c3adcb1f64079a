import type { Knex } from 'knex';

const CHUNK = 500;

/** A pair of users, either way round. */
const pairKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/** A pair whose hiding changed: each is shown to the other as offline, or again as they are. */
export interface PairChange {
  a: string;
  b: string;
  hidden: boolean;
}

/**
 * Which pairs of users hide their presence from each other: those where one blocks the other
 * (user_blocks). Presence frames are sent on every connect and disconnect of a followed user, to
 * each of its followers, so the check is a lookup in a set held in memory, never a query. The set
 * holds the blocked pairs this host has looked at: those asked of when a connection subscribes
 * (one query for the whole request), and those a `block.changed` event named, from any host. An
 * event is not trusted for the state it carries: two hosts' events for one pair may arrive in
 * either order, so the pair is read again from the database, and only the answer to the latest
 * read counts. A subscription's query yields to any event for the pair that came meanwhile. After
 * a bus outage (events missed) every followed pair is read again (relearn).
 */
export class PresenceBlocks {
  private readonly blocked = new Set<string>();
  /**
   * Per pair, the number of the latest read an event asked for; earlier answers are dropped. One
   * number for each pair whose block changed since the host started: blocks change rarely.
   */
  private readonly latest = new Map<string, number>();
  private reads = 0;

  constructor(private readonly knex: () => Knex) {}

  /** Whether `viewer` must not see `user`'s presence. */
  hides(viewer: string, user: string): boolean {
    return this.blocked.size > 0 && viewer !== user && this.blocked.has(pairKey(viewer, user));
  }

  /** Learns which of `others` are in a block with `viewer`, before `viewer` follows them. */
  async learn(viewer: string, others: readonly string[]): Promise<void> {
    const since = this.reads;
    const rows = await this.knex()('user_blocks')
      .where((q) => q.where('blocker_id', viewer).whereIn('blocked_id', others))
      .orWhere((q) => q.where('blocked_id', viewer).whereIn('blocker_id', others))
      .select<{ blocker_id: string; blocked_id: string }[]>('blocker_id', 'blocked_id');
    const found = new Set(rows.map((r) => pairKey(r.blocker_id, r.blocked_id)));
    for (const other of others) this.settle(pairKey(viewer, other), found, since);
  }

  /**
   * A block between `a` and `b` changed (on any host): reads the pair again. Answers the change
   * to show, or null when nothing changed (or a later read will answer).
   */
  async recheck(a: string, b: string): Promise<PairChange | null> {
    const key = pairKey(a, b);
    const read = ++this.reads;
    this.latest.set(key, read);
    const row = await this.knex()('user_blocks')
      .where({ blocker_id: a, blocked_id: b })
      .orWhere({ blocker_id: b, blocked_id: a })
      .first<{ blocker_id: string } | undefined>('blocker_id');
    if (this.latest.get(key) !== read) return null;
    const hidden = row !== undefined;
    if (hidden === this.blocked.has(key)) return null;
    if (hidden) this.blocked.add(key);
    else this.blocked.delete(key);
    return { a, b, hidden };
  }

  /**
   * After a bus outage: reads again every pair followed here (`follows`: each viewer with the
   * users they follow), a query per 500 viewers, and answers what changed.
   */
  async relearn(follows: ReadonlyMap<string, ReadonlySet<string>>): Promise<PairChange[]> {
    const changes: PairChange[] = [];
    const viewers = [...follows.keys()];
    for (let i = 0; i < viewers.length; i += CHUNK) {
      const chunk = viewers.slice(i, i + CHUNK);
      const since = this.reads;
      const rows = await this.knex()('user_blocks')
        .whereIn('blocker_id', chunk)
        .orWhereIn('blocked_id', chunk)
        .select<{ blocker_id: string; blocked_id: string }[]>('blocker_id', 'blocked_id');
      const found = new Set(rows.map((r) => pairKey(r.blocker_id, r.blocked_id)));
      for (const viewer of chunk) {
        for (const user of follows.get(viewer) ?? []) {
          if (user === viewer) continue;
          const key = pairKey(viewer, user);
          const was = this.blocked.has(key);
          this.settle(key, found, since);
          if (this.blocked.has(key) !== was) changes.push({ a: viewer, b: user, hidden: !was });
        }
      }
    }
    return changes;
  }

  /** Sets a pair from a query begun when `reads` was `since`, unless an event's read came after. */
  private settle(key: string, found: ReadonlySet<string>, since: number): void {
    if ((this.latest.get(key) ?? 0) > since) return;
    if (found.has(key)) this.blocked.add(key);
    else this.blocked.delete(key);
  }
}
