import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';

const MAX_CACHED_CONVERSATIONS = 50_000;

/**
 * Who is in each conversation, for routing fan-out. Loaded from the database on first use and
 * kept current by membership events; events for a conversation are handed on strictly in
 * arrival order, even while its member list is loading. Also the one rule for who shares a
 * conversation with whom (presence, reports).
 */
@injectable()
export class MemberDirectory {
  private readonly members = new Map<string, Set<string>>();
  private readonly waiting = new Map<string, (() => void)[]>();

  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Logger) private readonly log: Logger,
  ) {}

  /** Calls `fn` with the member set of a conversation, in order with earlier calls for it. */
  withMembers(conversationId: string, fn: (members: Set<string>) => void): void {
    const queue = this.waiting.get(conversationId);
    if (queue) {
      queue.push(() => fn(this.members.get(conversationId) ?? new Set()));
      return;
    }
    const cached = this.members.get(conversationId);
    if (cached) {
      fn(cached);
      return;
    }
    this.waiting.set(conversationId, [() => fn(this.members.get(conversationId) ?? new Set())]);
    void this.load(conversationId);
  }

  /** Whether a user is a member, from the cache (the writer still checks in its transaction). */
  isMember(conversationId: string, userId: string): boolean | Promise<boolean> {
    const cached = this.waiting.has(conversationId) ? undefined : this.members.get(conversationId);
    if (cached) return cached.has(userId);
    return new Promise((resolve) => this.withMembers(conversationId, (members) => resolve(members.has(userId))));
  }

  /**
   * Which of `others` share at least one conversation with `userId` (the user counts as sharing
   * with themselves), read from the database: the cache holds conversations, not people, and
   * what this answers decides who may see or report whom.
   */
  async sharingAConversation(userId: string, others: readonly string[]): Promise<Set<string>> {
    const sharing = new Set<string>(others.includes(userId) ? [userId] : []);
    if (others.length === 0) return sharing;
    const rows = await this.sharedWith(userId, others).distinct<{ id: string }[]>('theirs.user_id as id');
    for (const r of rows) sharing.add(r.id);
    return sharing;
  }

  /**
   * Those of `others` who share a conversation with `userId` (as sharingAConversation), each with
   * whether a block stands between the two, either way round (user_blocks), read in the same
   * query: presence asks both each time someone subscribes.
   */
  async sharingWithBlocks(userId: string, others: readonly string[]): Promise<Map<string, boolean>> {
    const sharing = new Map<string, boolean>(others.includes(userId) ? [[userId, false]] : []);
    if (others.length === 0) return sharing;
    const rows = await this.sharedWith(userId, others).distinct<{ id: string; blocked: boolean | number }[]>(
      'theirs.user_id as id',
      this.db.knex.raw(
        'exists (select 1 from user_blocks b where b.blocker_id = ? and b.blocked_id = theirs.user_id) or ' +
          'exists (select 1 from user_blocks b where b.blocker_id = theirs.user_id and b.blocked_id = ?) as blocked',
        [userId, userId],
      ),
    );
    // PostgreSQL answers a boolean, SQLite 0 or 1.
    for (const r of rows) sharing.set(r.id, Boolean(r.blocked));
    return sharing;
  }

  /** Rows of the conversations `userId` is in, joined to those of `others` in each (as `theirs`). */
  private sharedWith(userId: string, others: readonly string[]): Knex.QueryBuilder {
    return this.db
      .knex('members as mine')
      .join('members as theirs', 'theirs.conversation_id', 'mine.conversation_id')
      .where('mine.user_id', userId)
      .whereIn('theirs.user_id', others);
  }

  /** Applies a committed membership change (idempotent, so a fresh load never double-counts). */
  apply(conversationId: string, added: readonly string[], removed: readonly string[]): void {
    this.withMembers(conversationId, (set) => {
      for (const id of added) set.add(id);
      for (const id of removed) set.delete(id);
    });
  }

  /**
   * Drops every cached member list not being loaded (they reload on next use): after the bus
   * was down, membership changes made on other hosts meanwhile never arrived.
   */
  forgetAll(): void {
    for (const id of [...this.members.keys()]) if (!this.waiting.has(id)) this.members.delete(id);
  }

  private async load(conversationId: string): Promise<void> {
    let set = new Set<string>();
    try {
      const rows = await this.db
        .knex('members')
        .where({ conversation_id: conversationId })
        .select<{ user_id: string }[]>('user_id');
      set = new Set(rows.map((r) => r.user_id));
    } catch (err) {
      this.log.error(
        { err, conversationId },
        'could not load members; events for this batch reach nobody on this host',
      );
    }
    this.members.set(conversationId, set);
    if (this.members.size > MAX_CACHED_CONVERSATIONS) {
      const oldest = this.members.keys().next().value as string;
      if (!this.waiting.has(oldest)) this.members.delete(oldest);
    }
    const queue = this.waiting.get(conversationId) ?? [];
    this.waiting.delete(conversationId);
    for (const run of queue) run();
  }
}
