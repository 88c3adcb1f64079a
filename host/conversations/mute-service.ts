import { inject, injectable } from 'tsyringe';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { ConversationMuteFrame } from '../../sdk/protocol/frames.js';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import { isoTime } from '../core/iso-time.js';
import type { Database } from '../db/open-database.js';
import type { EventBus } from '../bus/event-bus.js';
import { requireMembership } from './membership.js';

/** "Until I unmute": 9999-12-31T23:59:59.999Z, the last instant an ISO 8601 year of four digits shows. */
export const MUTED_FOREVER = 253_402_300_799_999;

/** What a client asks for: an ISO time, "forever", or null to unmute. */
export type MuteUntil = string | null;

/**
 * Muting a conversation for oneself. Muted means `members.muted_until` is in the future; counts
 * still count (clients show them quietly) and push notifications skip it. The member's other
 * devices learn it from a `conversation.mute` frame.
 */
@injectable()
export class MuteService {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {}

  async mute(userId: string, conversationId: string, until: MuteUntil): Promise<void> {
    const at = this.untilMs(until);
    await requireMembership(this.db.knex, conversationId, userId);
    await this.db
      .knex('members')
      .where({ conversation_id: conversationId, user_id: userId })
      .update({ muted_until: at });
    this.bus.publish({ type: 'conversation.muted', userId, conversationId, mutedUntil: at });
  }

  /** A time already past unmutes, as null does. */
  private untilMs(until: MuteUntil): number | null {
    if (until === null) return null;
    if (until === 'forever') return MUTED_FOREVER;
    const ms = /^\d{4}-\d{2}-\d{2}T/.test(until) ? Date.parse(until) : NaN;
    if (!Number.isFinite(ms) || ms > MUTED_FOREVER) {
      throw new SwitchboardError('invalid_request', 'until must be an ISO 8601 time, "forever" or null.', {
        details: [{ path: '/until', message: 'is not an ISO 8601 time, "forever" or null' }],
      });
    }
    return ms > this.clock.now() ? ms : null;
  }
}

/** The frame a member's own sockets get when they mute or unmute. */
export function muteFrame(conversationId: string, mutedUntil: number | null): ConversationMuteFrame {
  return { type: 'conversation.mute', conversationId, mutedUntil: isoTime(mutedUntil) };
}
