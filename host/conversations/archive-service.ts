import { inject, injectable } from 'tsyringe';
import type { ConversationArchiveFrame } from '../../sdk/protocol/conversation-archive.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import { isoTime } from '../core/iso-time.js';
import type { Database } from '../db/open-database.js';
import type { EventBus } from '../bus/event-bus.js';
import { requireMembership } from './membership.js';

/**
 * Archiving a conversation for oneself: `members.archived_at`, as mute is `members.muted_until`.
 * It stays archived when new messages arrive (WhatsApp's "keep chats archived"), so sending
 * never reads nor writes it; counts still count, and clients choose how to show them. Push reads
 * it beside the mute, after the commit, and then tells only of what is addressed to the member
 * (push-recipients.ts). The member's other devices learn it from a `conversation.archive` frame.
 */
@injectable()
export class ArchiveService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {}

  /** Archiving again keeps the first time, and unarchiving what is not archived changes nothing: no frame then. */
  async archive(userId: string, conversationId: string, archived: boolean): Promise<void> {
    await requireMembership(this.db.knex, conversationId, userId);
    const at = archived ? this.clock.now() : null;
    const changed = await this.db
      .knex('members')
      .where({ conversation_id: conversationId, user_id: userId })
      .where((q) => (archived ? q.whereNull('archived_at') : q.whereNotNull('archived_at')))
      .update({ archived_at: at });
    if (changed > 0) this.bus.publish({ type: 'conversation.archived', userId, conversationId, archivedAt: at });
  }
}

/** The frame a member's own sockets get when they archive or unarchive. */
export function archiveFrame(conversationId: string, archivedAt: number | null): ConversationArchiveFrame {
  return { type: 'conversation.archive', conversationId, archivedAt: isoTime(archivedAt) };
}
