import type { Knex } from 'knex';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Member, MemberRole } from '../../sdk/protocol/message.js';
import { isoTime } from '../core/iso-time.js';

export interface MembershipRow {
  conversation_id: string;
  user_id: string;
  role: MemberRole;
  joined_at: number;
  read_seq: number;
}

/**
 * The caller's membership, or `conversation_not_found`: a non-member learns nothing, not even
 * whether the conversation exists.
 */
export async function requireMembership(
  db: Knex | Knex.Transaction,
  conversationId: string,
  userId: string,
): Promise<MembershipRow> {
  const row = await db<MembershipRow>('members')
    .where({ conversation_id: conversationId, user_id: userId })
    .first<MembershipRow | undefined>();
  if (!row) throw new SwitchboardError('conversation_not_found');
  return row;
}

export function requireRole(membership: MembershipRow, allowed: readonly MemberRole[], action: string): void {
  if (!allowed.includes(membership.role)) {
    throw new SwitchboardError(
      'insufficient_role',
      `Only ${allowed.join(' or ')} may ${action}; you are ${membership.role}.`,
    );
  }
}

/** A membership row as the protocol's Member. */
export function toMember(row: MembershipRow): Member {
  return { userId: row.user_id, role: row.role, joinedAt: isoTime(row.joined_at), readSeq: row.read_seq };
}
