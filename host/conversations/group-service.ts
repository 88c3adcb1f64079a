import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Conversation, Member, MemberRole } from '../../sdk/protocol/message.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import { UserService } from '../auth/user-service.js';
import { ConversationService } from './conversation-service.js';
import { ConversationWriter } from './conversation-writer.js';
import { requireMembership, requireRole, toMember, type MembershipRow } from './membership.js';
import { appendSystemMessage } from './system-message.js';

/** Changes to a group once made: its title, its members and their roles, each announced by a system message. */
@injectable()
export class GroupService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(UserService) private readonly users: UserService,
    @inject(ConversationWriter) private readonly writer: ConversationWriter,
    @inject(ConversationService) private readonly conversations: ConversationService,
  ) {}

  async setTitle(userId: string, conversationId: string, title: string): Promise<Conversation> {
    await this.writer.run(conversationId, async (ctx) => {
      const me = await this.groupMembership(ctx.trx, conversationId, userId);
      requireRole(me, ['owner', 'admin'], 'change the title');
      await ctx.trx('conversations').where({ id: conversationId }).update({ title });
      await appendSystemMessage(ctx, conversationId, userId, 'system.title_changed', { title });
    });
    return this.conversations.get(userId, conversationId);
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
      // A newcomer's unread count starts at their join: what came before is history to them, not
      // news (nor are its mentions), so only the notice that adds them (the next seq) is unread.
      const joinedAfter = ctx.lastSeq(conversationId);
      const rows = added.map((u) => ({
        conversation_id: conversationId,
        user_id: u,
        role,
        joined_at: ctx.now,
        read_seq: joinedAfter,
      }));
      for (let i = 0; i < rows.length; i += 200) await ctx.trx('members').insert(rows.slice(i, i + 200));
      // Announce membership first, so the new members receive the message that adds them.
      ctx.emit({ type: 'membership.changed', conversationId, added, removed: [] });
      await appendSystemMessage(ctx, conversationId, userId, 'system.members_added', { userIds: added, role });
    });
    return this.conversations.get(userId, conversationId);
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
        await appendSystemMessage(ctx, conversationId, userId, 'system.role_changed', { userId: targetId, role });
        if (role === 'owner') {
          // One owner per group: handing over ownership makes the old owner an admin.
          await ctx
            .trx('members')
            .where({ conversation_id: conversationId, user_id: userId })
            .update({ role: 'admin' });
          await appendSystemMessage(ctx, conversationId, userId, 'system.role_changed', { userId, role: 'admin' });
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
      await appendSystemMessage(ctx, conversationId, userId, 'system.member_removed', { userId: targetId });
      await ctx.trx('members').where({ conversation_id: conversationId, user_id: targetId }).delete();
      ctx.emit({ type: 'membership.changed', conversationId, added: [], removed: [targetId] });
    });
  }

  async leave(userId: string, conversationId: string): Promise<void> {
    await this.writer.run(conversationId, async (ctx) => {
      const me = await this.groupMembership(ctx.trx, conversationId, userId);
      await appendSystemMessage(ctx, conversationId, userId, 'system.member_left', { userId });
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
          await appendSystemMessage(ctx, conversationId, userId, 'system.role_changed', {
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
}
