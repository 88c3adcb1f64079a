import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Conversation, Member, MemberRole } from '../../sdk/protocol/message.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { EventBus } from '../bus/event-bus.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import { UserService } from '../auth/user-service.js';
import { ConversationWriter, type WriteContext } from './conversation-writer.js';
import { requireMembership, requireRole, type MembershipRow } from './membership.js';
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

/** Direct conversations and groups: creation, membership and roles. */
@injectable()
export class ConversationService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(UserService) private readonly users: UserService,
    @inject(ConversationWriter) private readonly writer: ConversationWriter,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {}

  /** The one direct conversation of a pair, created on first use. */
  async direct(userId: string, otherId: string): Promise<Conversation> {
    if (userId === otherId)
      throw new SwitchboardError('invalid_operation', 'A direct conversation needs two different users.');
    if ((await this.users.missing([otherId])).length > 0) throw new SwitchboardError('user_not_found');
    const directKey = [userId, otherId].sort().join(':');
    const existing = await this.db.knex<ConversationRow>('conversations').where({ direct_key: directKey }).first();
    if (existing) return this.get(userId, existing.id);
    const now = this.clock.now();
    const id = randomUUID();
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
      });
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      // Both users opened it at once; the other insert won.
      const winner = await this.db.knex<ConversationRow>('conversations').where({ direct_key: directKey }).first();
      return this.get(userId, winner!.id);
    }
    this.bus.publish({ type: 'membership.changed', conversationId: id, added: [userId, otherId], removed: [] });
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
    });
    this.bus.publish({ type: 'membership.changed', conversationId: id, added: [userId, ...others], removed: [] });
    // The first message announces the group; it goes through the writer like every change.
    await this.writer.run(id, (ctx) =>
      this.system(ctx, id, userId, 'system.conversation_created', { title, memberIds: [userId, ...others] }),
    );
    return this.get(userId, id);
  }

  async list(userId: string): Promise<Conversation[]> {
    const rows = await this.selectConversations(this.db.knex)
      .where('m.user_id', userId)
      .orderBy('c.last_activity_at', 'desc');
    return rows.map(toConversation);
  }

  async get(userId: string, conversationId: string): Promise<Conversation> {
    const row: unknown = await this.selectConversations(this.db.knex)
      .where({ 'm.user_id': userId, 'c.id': conversationId })
      .first();
    if (!row) throw new SwitchboardError('conversation_not_found');
    return toConversation(row as ConversationListRow);
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

  async setTitle(userId: string, conversationId: string, title: string): Promise<Conversation> {
    await this.writer.run(conversationId, async (ctx) => {
      const me = await this.groupMembership(ctx.trx, conversationId, userId);
      requireRole(me, ['owner', 'admin'], 'change the title');
      await ctx.trx('conversations').where({ id: conversationId }).update({ title });
      await this.system(ctx, conversationId, userId, 'system.title_changed', { title });
    });
    return this.get(userId, conversationId);
  }

  async addMembers(
    userId: string,
    conversationId: string,
    userIds: readonly string[],
    role: 'admin' | 'member',
  ): Promise<Conversation> {
    const wanted = [...new Set(userIds)];
    // Outside the write: on SQLite the batch transaction holds the only connection.
    await requireMembership(this.db.knex, conversationId, userId);
    const missing = await this.users.missing(wanted);
    await this.writer.run(conversationId, async (ctx) => {
      const me = await this.groupMembership(ctx.trx, conversationId, userId);
      requireRole(me, role === 'admin' ? ['owner'] : ['owner', 'admin'], `add ${role}s`);
      if (missing.length > 0) throw new SwitchboardError('user_not_found', `No such user: ${missing[0]}`);
      const present = new Set(
        (
          await ctx
            .trx('members')
            .where({ conversation_id: conversationId })
            .whereIn('user_id', wanted)
            .select<{ user_id: string }[]>('user_id')
        ).map((r) => r.user_id),
      );
      const added = wanted.filter((id) => !present.has(id));
      if (added.length === 0) return;
      const [{ count }] = (await ctx
        .trx('members')
        .where({ conversation_id: conversationId })
        .count({ count: '*' })) as [{ count: number | string }];
      if (Number(count) + added.length > this.config.conversations.maxGroupMembers)
        throw new SwitchboardError('member_limit_reached');
      const rows = added.map((u) => ({
        conversation_id: conversationId,
        user_id: u,
        role,
        joined_at: ctx.now,
        read_seq: 0,
      }));
      for (let i = 0; i < rows.length; i += 200) await ctx.trx('members').insert(rows.slice(i, i + 200));
      // Announce membership first, so the new members receive the message that adds them.
      ctx.emit({ type: 'membership.changed', conversationId, added, removed: [] });
      await this.system(ctx, conversationId, userId, 'system.members_added', { userIds: added, role });
    });
    return this.get(userId, conversationId);
  }

  async setRole(userId: string, conversationId: string, targetId: string, role: MemberRole): Promise<Member> {
    return this.writer.run(conversationId, async (ctx) => {
      const me = await this.groupMembership(ctx.trx, conversationId, userId);
      requireRole(me, ['owner'], 'change roles');
      if (targetId === userId)
        throw new SwitchboardError(
          'invalid_operation',
          'Pass ownership to another member instead of changing your own role.',
        );
      const target = await this.memberOrNotFound(ctx.trx, conversationId, targetId);
      if (target.role !== role) {
        await ctx.trx('members').where({ conversation_id: conversationId, user_id: targetId }).update({ role });
        await this.system(ctx, conversationId, userId, 'system.role_changed', { userId: targetId, role });
        if (role === 'owner') {
          // One owner per group: handing over ownership makes the old owner an admin.
          await ctx
            .trx('members')
            .where({ conversation_id: conversationId, user_id: userId })
            .update({ role: 'admin' });
          await this.system(ctx, conversationId, userId, 'system.role_changed', { userId, role: 'admin' });
        }
      }
      return toMember({ ...target, role });
    });
  }

  async removeMember(userId: string, conversationId: string, targetId: string): Promise<void> {
    if (targetId === userId) return this.leave(userId, conversationId);
    await this.writer.run(conversationId, async (ctx) => {
      const me = await this.groupMembership(ctx.trx, conversationId, userId);
      requireRole(me, ['owner', 'admin'], 'remove members');
      const target = await this.memberOrNotFound(ctx.trx, conversationId, targetId);
      if (me.role === 'admin' && target.role !== 'member')
        throw new SwitchboardError('insufficient_role', 'Admins may remove members only.');
      // The removed member still receives the message that removes them, then no more.
      await this.system(ctx, conversationId, userId, 'system.member_removed', { userId: targetId });
      await ctx.trx('members').where({ conversation_id: conversationId, user_id: targetId }).delete();
      ctx.emit({ type: 'membership.changed', conversationId, added: [], removed: [targetId] });
    });
  }

  async leave(userId: string, conversationId: string): Promise<void> {
    await this.writer.run(conversationId, async (ctx) => {
      const me = await this.groupMembership(ctx.trx, conversationId, userId);
      await this.system(ctx, conversationId, userId, 'system.member_left', { userId });
      await ctx.trx('members').where({ conversation_id: conversationId, user_id: userId }).delete();
      if (me.role === 'owner') {
        const successor = (await ctx
          .trx('members')
          .where({ conversation_id: conversationId })
          .orderByRaw("case role when 'admin' then 0 else 1 end")
          .orderBy('joined_at')
          .orderBy('user_id')
          .first()) as MembershipRow | undefined;
        if (successor) {
          await ctx
            .trx('members')
            .where({ conversation_id: conversationId, user_id: successor.user_id })
            .update({ role: 'owner' });
          await this.system(ctx, conversationId, userId, 'system.role_changed', {
            userId: successor.user_id,
            role: 'owner',
          });
        }
      }
      ctx.emit({ type: 'membership.changed', conversationId, added: [], removed: [userId] });
    });
  }

  private async groupMembership(trx: Knex.Transaction, conversationId: string, userId: string): Promise<MembershipRow> {
    const me = await requireMembership(trx, conversationId, userId);
    const conversation = await trx('conversations').where({ id: conversationId }).first<{ kind: string }>('kind');
    if (conversation.kind !== 'group')
      throw new SwitchboardError('invalid_operation', 'Direct conversations have fixed members and no title.');
    return me;
  }

  private async memberOrNotFound(
    trx: Knex.Transaction,
    conversationId: string,
    userId: string,
  ): Promise<MembershipRow> {
    const row = (await trx('members').where({ conversation_id: conversationId, user_id: userId }).first()) as
      MembershipRow | undefined;
    if (!row) throw new SwitchboardError('user_not_found', 'That user is not a member of this conversation.');
    return row;
  }

  private async system(
    ctx: WriteContext,
    conversationId: string,
    senderId: string,
    type: string,
    body: object,
  ): Promise<void> {
    await ctx.appendMessage({ conversationId, senderId, contentType: type, content: JSON.stringify(body) });
  }

  /** Conversations with their member's view; the rows are ConversationListRow (knex cannot type the subquery). */
  private selectConversations(knex: Knex) {
    return knex('conversations as c')
      .join('members as m', 'm.conversation_id', 'c.id')
      .select(
        'c.*',
        'm.role as my_role',
        'm.read_seq as my_read_seq',
        knex('members as mc').whereRaw('mc.conversation_id = c.id').count('*').as('member_count'),
      );
  }
}

/** A conversation as its member sees it: the row, their role and read position, the member count. */
type ConversationListRow = ConversationRow & {
  my_role: MemberRole;
  my_read_seq: number;
  member_count: number | string;
};

function toConversation(row: ConversationListRow): Conversation {
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
  };
}

function toMember(row: MembershipRow): Member {
  return { userId: row.user_id, role: row.role, joinedAt: isoTime(row.joined_at), readSeq: row.read_seq };
}
