/**
 * Recent token checks for plugin routes, by token hash, each reused for at most maxAgeMs after
 * the query that read it was sent. A check that has to go to the database takes along the other
 * tokens in use whose answers will soon be too old (up to MAX_TAKEN_ALONG of them, at most every
 * TAKE_ALONG_EVERY of maxAgeMs): a host whose
 * users each call a plugin route every few seconds then sends about one check a second in all,
 * where it sent one per token per maxAgeMs, and no answer is older than before.
 */

/** What one token's check read: absent when the token does not exist. */
export interface SessionRead<S> {
  /** The answer to keep, or the refusal to throw (revoked, expired, deactivated). */
  session: S | null;
  refusal: Error | null;
}

export interface SessionCacheOptions<S> {
  maxAgeMs: number;
  maxEntries: number;
  now: () => number;
  /** Reads these hashes' tokens in one query; a hash missing from the map is no token at all. */
  read: (hashes: readonly string[]) => Promise<Map<string, SessionRead<S>>>;
  /** Whether a kept answer may no longer be served whatever its age (the token expired). */
  expired: (session: S, now: number) => boolean;
  /** The refusal for a hash that names no token. */
  unknown: () => Error;
}

interface Entry<S> {
  session: S;
  /** When the query that read it was sent. */
  checkedAt: number;
  usedAt: number;
}

/** Tokens taken along by one check, besides its own: one bounded array parameter. */
const MAX_TAKEN_ALONG = 500;
/** A token unused for this long is not taken along: its next use checks it alone. */
const IN_USE_MS = 10_000;
/**
 * Looking for tokens to take along walks every kept answer, so it happens at most this often
 * (as a share of maxAgeMs); the checks between read their own token only. A burst of new tokens
 * then walks a full cache a few times a second, not once per token.
 */
const TAKE_ALONG_EVERY = 1 / 8;

export class SessionCache<S> {
  private readonly entries = new Map<string, Entry<S>>();
  /** Checks on their way, by each hash they read, with the forgets counted when each began. */
  private readonly pending = new Map<string, { reading: Promise<Map<string, SessionRead<S>>>; forgets: number }>();
  private lastTakeAlong = -Infinity;
  /** Revocations heard: a read begun before one may have read the revoked token as it was. */
  private forgets = 0;

  constructor(private readonly options: SessionCacheOptions<S>) {}

  async check(hash: string): Promise<S> {
    const { now, maxAgeMs, expired } = this.options;
    const at = now();
    const hit = this.entries.get(hash);
    if (hit && at - hit.checkedAt < maxAgeMs && !expired(hit.session, at)) {
      hit.usedAt = at;
      return hit.session;
    }
    // A read begun before a revocation this host has heard since is not joined: it may answer
    // for the token as it was.
    const pending = this.pending.get(hash);
    const reading = pending?.forgets === this.forgets ? pending.reading : this.start(hash, at);
    const read = (await reading).get(hash);
    if (!read) throw this.options.unknown();
    if (read.refusal) throw read.refusal;
    return read.session!;
  }

  /** Drops every kept answer for which `matches` holds (a revocation heard on the bus). */
  forget(matches: (session: S) => boolean): void {
    this.forgets++;
    for (const [hash, entry] of this.entries) if (matches(entry.session)) this.entries.delete(hash);
  }

  private start(hash: string, at: number): Promise<Map<string, SessionRead<S>>> {
    const hashes = [hash, ...this.dueSoon(hash, at)];
    const forgets = this.forgets;
    const settle = () => {
      for (const h of hashes) if (this.pending.get(h)?.reading === reading) this.pending.delete(h);
    };
    const reading: Promise<Map<string, SessionRead<S>>> = this.options.read(hashes).then(
      (reads) => {
        settle();
        // Answers read before a revocation heard meanwhile are not kept: they may predate it.
        if (forgets === this.forgets) this.keep(hash, hashes, reads, at);
        return reads;
      },
      (err: unknown) => {
        settle();
        throw err;
      },
    );
    for (const h of hashes) this.pending.set(h, { reading, forgets });
    return reading;
  }

  /** Kept tokens in use whose answers pass half their age, not already on their way. */
  private dueSoon(hash: string, at: number): string[] {
    const due: string[] = [];
    if (at - this.lastTakeAlong < this.options.maxAgeMs * TAKE_ALONG_EVERY) return due;
    this.lastTakeAlong = at;
    for (const [h, entry] of this.entries) {
      if (due.length >= MAX_TAKEN_ALONG) break;
      if (h === hash || this.pending.has(h) || at - entry.usedAt > IN_USE_MS) continue;
      if (at - entry.checkedAt >= this.options.maxAgeMs / 2) due.push(h);
    }
    return due;
  }

  private keep(asked: string, hashes: readonly string[], reads: Map<string, SessionRead<S>>, checkedAt: number): void {
    for (const h of hashes) {
      const read = reads.get(h);
      const entry = this.entries.get(h);
      if (!read?.session) {
        this.entries.delete(h);
        continue;
      }
      // A token taken along keeps an answer only if it still has one (the cache may have been
      // cleared meanwhile): it was not asked for.
      if (entry) {
        entry.session = read.session;
        entry.checkedAt = checkedAt;
        if (h === asked) entry.usedAt = checkedAt;
      } else if (h === asked) {
        if (this.entries.size >= this.options.maxEntries) this.entries.clear();
        this.entries.set(h, { session: read.session, checkedAt, usedAt: checkedAt });
      }
    }
  }
}
