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

/** The reads of one pair in flight. */
interface PairReads {
  count: number;
  /** The number of the latest event's read of the pair begun since it had a read in flight (0: none). */
  latest: number;
}

/**
 * Which pairs of users hide their presence from each other: those where one blocks the other
 * (user_blocks). Presence frames are sent on every connect and disconnect of a followed user, to
 * each of its followers, so the check is a lookup in a set held in memory, never a query. The set
 * holds the blocked pairs this host has looked at: those asked of when a connection subscribes
 * (read by the query that checks whom it shares a conversation with), and those a
 * `block.changed` event named, from any host. An event is not trusted for the state it carries:
 * two hosts' events for one pair may arrive in either order, so the pair is read again from the
 * database, and only the answer to the latest read counts. A subscription's query yields to any
 * event for the pair that came meanwhile. After a bus outage (events missed) every followed pair
 * is read again (relearn).
 */
export class PresenceBlocks {
  private readonly blocked = new Set<string>();
  /**
   * The pairs with a read in flight (an event's, or a query over many pairs). A pair is dropped
   * once its last read in flight answers: any read it could yield to began while it was kept, so
   * the map holds only the reads under way, however many blocks changed since the host started.
   */
  private readonly inFlight = new Map<string, PairReads>();
  /** Numbers events' reads in the order they begin. */
  private reads = 0;

  constructor(private readonly knex: () => Knex) {}

  /** Whether `viewer` must not see `user`'s presence. */
  hides(viewer: string, user: string): boolean {
    return this.blocked.size > 0 && viewer !== user && this.blocked.has(pairKey(viewer, user));
  }

  /** How many pairs have a read in flight (none once every read has answered). */
  get pairsBeingRead(): number {
    return this.inFlight.size;
  }

  /**
   * Learns which of `others` are in a block with `viewer`, before `viewer` follows them, from
   * `read`: the caller's query (the subscription's, which reads who shares a conversation
   * anyway), answering some of `others` each with whether a block stands between them and
   * `viewer`. A pair it does not answer is left as it was. Resolves to that answer.
   */
  async learn(
    viewer: string,
    others: readonly string[],
    read: () => Promise<ReadonlyMap<string, boolean>>,
  ): Promise<ReadonlyMap<string, boolean>> {
    const keys = others.map((other) => pairKey(viewer, other));
    const [answer, current] = await this.readPairs(keys, read);
    others.forEach((other, i) => {
      const hidden = answer.get(other);
      if (hidden !== undefined && current[i]) this.set(keys[i]!, hidden);
    });
    return answer;
  }

  /**
   * A block between `a` and `b` changed (on any host): reads the pair again. Answers the change
   * to show, or null when nothing changed (or a later read will answer).
   */
  async recheck(a: string, b: string): Promise<PairChange | null> {
    const key = pairKey(a, b);
    const read = ++this.reads;
    const pair = this.begin(key);
    pair.latest = read;
    let row: { blocker_id: string } | undefined;
    try {
      row = await this.knex()('user_blocks')
        .where({ blocker_id: a, blocked_id: b })
        .orWhere({ blocker_id: b, blocked_id: a })
        .first<{ blocker_id: string } | undefined>('blocker_id');
    } finally {
      this.end(key);
    }
    if (pair.latest !== read) return null;
    const hidden = row !== undefined;
    if (hidden === this.blocked.has(key)) return null;
    this.set(key, hidden);
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
      const followed = chunk.flatMap((viewer) =>
        [...(follows.get(viewer) ?? [])].filter((user) => user !== viewer).map((user) => ({ viewer, user })),
      );
      const keys = followed.map(({ viewer, user }) => pairKey(viewer, user));
      const [found, current] = await this.readPairs(keys, async () => {
        const rows = await this.knex()('user_blocks')
          .whereIn('blocker_id', chunk)
          .orWhereIn('blocked_id', chunk)
          .select<{ blocker_id: string; blocked_id: string }[]>('blocker_id', 'blocked_id');
        return new Set(rows.map((r) => pairKey(r.blocker_id, r.blocked_id)));
      });
      followed.forEach(({ viewer, user }, j) => {
        const key = keys[j]!;
        const hidden = found.has(key);
        if (!current[j] || hidden === this.blocked.has(key)) return;
        this.set(key, hidden);
        changes.push({ a: viewer, b: user, hidden });
      });
    }
    return changes;
  }

  /**
   * Runs `read`, a query over the pairs `keys`, and answers it with, for each pair, whether its
   * answer still counts: not when an event's read of the pair began meanwhile (that one answers).
   */
  private async readPairs<T>(keys: readonly string[], read: () => Promise<T>): Promise<[T, boolean[]]> {
    const since = this.reads;
    const pairs = keys.map((key) => this.begin(key));
    let answer: T;
    try {
      answer = await read();
    } finally {
      for (const key of keys) this.end(key);
    }
    return [answer, pairs.map((pair) => pair.latest <= since)];
  }

  private begin(key: string): PairReads {
    let pair = this.inFlight.get(key);
    if (!pair) this.inFlight.set(key, (pair = { count: 0, latest: 0 }));
    pair.count++;
    return pair;
  }

  private end(key: string): void {
    const pair = this.inFlight.get(key);
    if (pair && --pair.count === 0) this.inFlight.delete(key);
  }

  private set(key: string, hidden: boolean): void {
    if (hidden) this.blocked.add(key);
    else this.blocked.delete(key);
  }
}
