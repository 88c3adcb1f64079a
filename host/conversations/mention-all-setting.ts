import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { Tokens } from '../core/container-tokens.js';
import type { Database } from '../db/open-database.js';
import { requireMembership, requireRole } from './membership.js';

/**
 * A group's own rule for @all: whether its plain members may mention everyone (owners and admins
 * always may). null goes back to the host's default, `mentions.allowAllForMembers`.
 */
@injectable()
export class MentionAllSetting {
  constructor(@inject(Tokens.Database) private readonly db: Database) {}

  async set(userId: string, conversationId: string, membersMay: boolean | null): Promise<void> {
    const membership = await requireMembership(this.db.knex, conversationId, userId);
    const conversation = await this.db
      .knex('conversations')
      .where({ id: conversationId })
      .first<{ kind: string }>('kind');
    if (conversation.kind !== 'group')
      throw new SwitchboardError('invalid_operation', 'Only groups have a rule for @all.');
    requireRole(membership, ['owner', 'admin'], 'change who may mention everyone');
    await this.db.knex('conversations').where({ id: conversationId }).update({ members_may_mention_all: membersMay });
  }
}
