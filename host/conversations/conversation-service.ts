import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Conversation, Member, MemberRole, Message } from '../../sdk/protocol/message.js';
import type { ConversationListQuery, ConversationListResult } from '../../sdk/protocol/conversation-archive.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { EventBus, HostEvent } from '../bus/event-bus.js';
import type { CommittedEventOutbox, OutboxBatch } from '../core/extension-points.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { UserService } from '../auth/user-service.js';
import { ConversationWriter } from './conversation-writer.js';
import { requireMembership, toMember, type MembershipRow } from './membership.js';
import { appendSystemMessage } from './system-message.js';
import { lastMessagesOf } from './last-messages.js';
import { blockFlag, directKeyOf, eitherBlocks, syncBlockFlag } from './block-flag.js';
import { pageListing, pageOf } from './conversation-list-page.js';
import { isoTime } from '../core/iso-time.js';
import type { Clock } from '../core/clock.js';

interface ConversationRow {
  id: string;
  kind: 'direct' | 'group';
  title: string | null;
  direct_key: string | null;
  created_by: string;
  created_at: number;
  last_seq: number;
  last_pts: number;
  last_activity_at: number;
}

/** Direct conversations and groups: creating them, and reading them and their members as a member sees them. */
@injectable()
export class ConversationService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(UserService) private readonly users: UserService,
    @inject(ConversationWriter) private readonly writer: ConversationWriter,
    @inject(Tokens.Clock) private readonly clock: Clock,
    @inject(Tokens.Outbox) private readonly outbox: CommittedEventOutbox,
  ) {}

  /**
   * The one direct conversation of a pair, created on first use; closed to sends from the start
   * when one of them blocks the other.
   */
  async direct(userId: string, otherId: string): Promise<Conversation> {
    if (userId === otherId)
      throw new SwitchboardError('invalid_operation', 'A direct conversation needs two different users.');
    if ((await this.users.missing([otherId])).length > 0) throw new SwitchboardError('user_not_found');
    const directKey = directKeyOf(userId, otherId);
    const existing = await this.db.knex<ConversationRow>('conversations').where({ direct_key: directKey }).first();
    if (existing) return this.get(userId, existing.id);
    const now = this.clock.now();
    const id = randomUUID();
    const joined: HostEvent = { type: 'membership.changed', conversationId: id, added: [userId, otherId], removed: [] };
    let recorded: OutboxBatch | null = null;
    try {
      await this.db.knex.transaction(async (trx) => {
        await trx('conversations').insert({
          id,
          kind: 'direct',
          title: null,
          direct_key: directKey,
          created_by: userId,
          created_at: now,
          last_seq: 0,
          last_pts: 0,
          last_activity_at: now,
          blocked: blockFlag(trx, userId, otherId),
        });
        await trx('members').insert(
          [userId, otherId].map((u) => ({
            conversation_id: id,
            user_id: u,
            role: 'member',
            joined_at: now,
            read_seq: 0,
          })),
        );
        recorded = await this.outbox.record(trx, [joined]);
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Both users opened it at once; the other insert won.
      const winner = await this.db.knex<ConversationRow>('conversations').where({ direct_key: directKey }).first();
      return this.get(userId, winner!.id);
    }
    this.bus.publish(joined);
    this.outbox.committed(recorded);
    // A block made while this was being created may not have seen it, nor it the block.
    if (await eitherBlocks(this.db.knex, userId, otherId))
      await this.writer.run(id, (ctx) => syncBlockFlag(ctx.trx, id, userId, otherId));
    return this.get(userId, id);
  }

  async createGroup(userId: string, title: string, memberIds: readonly string[]): Promise<Conversation> {
    const others = [...new Set(memberIds)].filter((id) => id !== userId);
    if (others.length + 1 > this.config.conversations.maxGroupMembers)
      throw new SwitchboardError('member_limit_reached');
    const missing = await this.users.missing(others);
    if (missing.length > 0) throw new SwitchboardError('user_not_found', `No such user: ${missing[0]}`);
    const now = this.clock.now();
    const id = randomUUID();
    const joined: HostEvent = {
      type: 'membership.changed',
      conversationId: id,
      added: [userId, ...others],
      removed: [],
    };
    let recorded: OutboxBatch | null = null;
    await this.db.knex.transaction(async (trx) => {
      await trx('conversations').insert({
        id,
        kind: 'group',
        title,
        direct_key: null,
        created_by: userId,
        created_at: now,
        last_seq: 0,
        last_pts: 0,
        last_activity_at: now,
      });
      const rows = [userId, ...others].map((u) => ({
        conversation_id: id,
        user_id: u,
        role: u === userId ? 'owner' : 'member',
        joined_at: now,
        read_seq: 0,
      }));
      for (let i = 0; i < rows.length; i += 200) await trx('members').insert(rows.slice(i, i + 200));
      recorded = await this.outbox.record(trx, [joined]);
    });
    this.bus.publish(joined);
    this.outbox.committed(recorded);
    // The first message announces the group; it goes through the writer like every change.
    await this.writer.run(id, (ctx) =>
      appendSystemMessage(ctx, id, userId, 'system.conversation_created', { title, memberIds: [userId, ...others] }),
    );
    return this.get(userId, id);
  }

  async list(userId: string): Promise<Conversation[]> {
    return (await this.page(userId, {})).conversations;
  }

  /** The listing, newest activity first: all of it, or a page (`limit`), of one side (`archived`) or both. */
  async page(userId: string, query: ConversationListQuery): Promise<ConversationListResult> {
    const listing = this.selectConversations(this.db.knex).where('m.user_id', userId);
    pageListing(listing, query);
    const paged = query.limit !== undefined;
    // All of them: their newest messages are read at once; a page's once its rows are known.
    const [rows, all] = await Promise.all([
      listing as Promise<ConversationListRow[]>,
      paged ? null : lastMessagesOf(this.db.knex, userId),
    ]);
    const { page, nextCursor } = pageOf(rows, query.limit);
    const ids = page.map((row) => row.id);
    const lastMessages = all ?? (await lastMessagesOf(this.db.knex, userId, ids));
    const view = this.viewRules();
    const conversations = page.map((row) => toConversation(row, lastMessages.get(row.id) ?? null, view));
    return { conversations, nextCursor };
  }

  async get(userId: string, conversationId: string): Promise<Conversation> {
    const [row, lastMessages] = await Promise.all([
      this.selectConversations(this.db.knex).where({ 'm.user_id': userId, 'c.id': conversationId }).first() as Promise<
        ConversationListRow | undefined
      >,
      lastMessagesOf(this.db.knex, userId, conversationId),
    ]);
    if (!row) throw new SwitchboardError('conversation_not_found');
    return toConversation(row, lastMessages.get(row.id) ?? null, this.viewRules());
  }

  async members(
    userId: string,
    conversationId: string,
    after: string | undefined,
    limit: number,
  ): Promise<{ members: Member[]; hasMore: boolean }> {
    await requireMembership(this.db.knex, conversationId, userId);
    const query = this.db
      .knex<MembershipRow>('members')
      .where({ conversation_id: conversationId })
      .orderBy('user_id')
      .limit(limit + 1);
    if (after) query.andWhere('user_id', '>', after);
    const rows = await query;
    return { members: rows.slice(0, limit).map(toMember), hasMore: rows.length > limit };
  }

  /**
   * Conversations with their member's view; the rows are ConversationListRow (knex cannot type the
   * subqueries). The unread count is a correlated subquery, not a grouped join: each is a range of
   * the (conversation_id, seq) index past the watermark, where PostgreSQL would hash-join a scan of
   * every message. Thread replies are left out of the unread count (a thread is read in its own
   * panel, as in Slack), not out of the mention count. Mentions are found in the stored entities'
   * JSON on the same index range, so counting them needs no table of its own to keep in step with
   * edits and deletes. A mention from someone the member blocks does not count (looked up only for
   * the messages that mention).
   */
  private selectConversations(knex: Knex) {
    return knex('conversations as c')
      .join('members as m', 'm.conversation_id', 'c.id')
      .select(
        'c.*',
        'm.role as my_role',
        'm.read_seq as my_read_seq',
        'm.muted_until as my_muted_until',
        'm.archived_at as my_archived_at',
        knex('members as mc').whereRaw('mc.conversation_id = c.id').count('*').as('member_count'),
        knex('messages as u')
          .whereRaw('u.conversation_id = c.id and u.seq > m.read_seq and u.sender_id <> m.user_id')
          .whereNull('u.deleted_at')
          .whereNull('u.thread_root_id')
          .count('*')
          .as('unread_count'),
        knex('messages as x')
          .whereRaw('x.conversation_id = c.id and x.seq > m.read_seq and x.sender_id <> m.user_id')
          .whereNull('x.deleted_at')
          .whereNotNull('x.entities')
          .where((q) =>
            q
              .whereRaw(`x.entities like '%"type":"mention_all"%'`)
              .orWhereRaw(`x.entities like '%"userId":"' || m.user_id || '"%'`),
          )
          .whereNotExists((q) =>
            q
              .from('user_blocks as b')
              .whereRaw('b.blocker_id = m.user_id and b.blocked_id = x.sender_id')
              .select(knex.raw('1')),
          )
          .count('*')
          .as('mention_count'),
      );
  }

  /** What a member's view of a conversation depends on besides its rows. */
  private viewRules(): ViewRules {
    return { now: this.clock.now(), allowAllForMembers: this.config.mentions.allowAllForMembers };
  }
}

/** A conversation as its member sees it: the row, their role, read position and unread count, the member count. */
type ConversationListRow = ConversationRow & {
  my_role: MemberRole;
  my_read_seq: number;
  my_muted_until: number | null;
  my_archived_at: number | null;
  members_may_mention_all: boolean | number | null;
  member_count: number | string;
  unread_count: number | string;
  mention_count: number | string;
};

interface ViewRules {
  now: number;
  allowAllForMembers: boolean;
}

function toConversation(row: ConversationListRow, lastMessage: Message | null, rules: ViewRules): Conversation {
  return {
    id: row.id,
    kind: row.kind,
    title: row.title,
    createdAt: isoTime(row.created_at),
    memberCount: Number(row.member_count),
    lastSeq: row.last_seq,
    lastPts: row.last_pts,
    myRole: row.my_role,
    myReadSeq: row.my_read_seq,
    lastMessage,
    unreadCount: Number(row.unread_count),
    mentionCount: Number(row.mention_count),
    mutedUntil: row.my_muted_until !== null && row.my_muted_until > rules.now ? isoTime(row.my_muted_until) : null,
    archivedAt: isoTime(row.my_archived_at),
    membersMayMentionAll:
      row.kind === 'group' &&
      (row.members_may_mention_all === null ? rules.allowAllForMembers : !!row.members_may_mention_all),
  };
}
