import { inject, injectable } from 'tsyringe';
import { Tokens } from '../core/container-tokens.js';
import type { HostEventOf } from '../bus/event-bus.js';
import type { Database } from '../db/open-database.js';
import type { Logger } from '../logging/logger.js';
import { ConnectionRegistry } from './connection-registry.js';

/**
 * Sends `user.updated` to this host's sockets of everyone who shares a conversation with the
 * user, and to the user's own. Profile changes are rare, so who shares a conversation is asked of
 * the database each time (one query) rather than kept: the member directory caches only the
 * conversations that have traffic.
 */
@injectable()
export class ProfileFanout {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
  ) {}

  deliver(event: HostEventOf<'user.updated'>): void {
    if (this.registry.size === 0) return;
    this.recipients(event.user.id).then(
      (userIds) => {
        const frame = Buffer.from(JSON.stringify({ type: 'user.updated', user: event.user }));
        for (const userId of userIds) {
          for (const conn of this.registry.ofUser(userId) ?? []) conn.sendRaw(frame, 'user.updated');
        }
      },
      (err: unknown) =>
        this.log.error(
          { err, userId: event.user.id },
          'could not find who shares a conversation; user.updated dropped',
        ),
    );
  }

  private async recipients(userId: string): Promise<Set<string>> {
    const rows = await this.db
      .knex('members as mine')
      .join('members as theirs', 'theirs.conversation_id', 'mine.conversation_id')
      .where('mine.user_id', userId)
      .distinct<{ user_id: string }[]>('theirs.user_id as user_id');
    const ids = new Set(rows.map((r) => r.user_id));
    ids.add(userId);
    return ids;
  }
}
