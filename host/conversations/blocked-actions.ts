import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { WriteContext } from './write-context.js';

/** What a member does besides sending that reaches the other member of a direct conversation. */
export type BlockedAction = 'react to messages' | 'pin or unpin messages';

/**
 * Refuses `action` with `blocked` while a block closes the conversation: a reaction or a pin
 * reaches the other person as surely as a message. The flag costs nothing (it is read with the
 * conversation's lock, WriteContext.blocked); only a refusal asks who blocked whom, so that the
 * person who blocked is told how to act again and the other learns nothing more than a refusal,
 * as with sends (blocked-sends.ts).
 */
export async function refuseIfBlocked(
  ctx: WriteContext,
  conversationId: string,
  userId: string,
  action: BlockedAction,
): Promise<void> {
  if (!ctx.blocked) return;
  const mine = await ctx
    .trx('user_blocks as b')
    .join('members as m', 'm.user_id', 'b.blocked_id')
    .where({ 'b.blocker_id': userId, 'm.conversation_id': conversationId })
    .first<{ blocker_id: string } | undefined>('b.blocker_id');
  throw new SwitchboardError(
    'blocked',
    mine
      ? `You blocked this person: unblock them to ${action} here.`
      : `You cannot ${action} in this conversation right now.`,
  );
}
