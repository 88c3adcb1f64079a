import type { PluginContext } from '../../sdk/index.js';
import { PaymentError } from './payment-error.js';
import type { PaymentsSettings } from './settings.js';

/**
 * The conversation a payment or a payment request shows up in: the payments bot posts there,
 * so it must be a member, and so must each of `userIds`. Returns the conversation id.
 */
export async function checkMembers(
  ctx: PluginContext<PaymentsSettings>,
  conversationId: unknown,
  userIds: readonly string[],
): Promise<string> {
  if (typeof conversationId !== 'string' || conversationId.length === 0 || conversationId.length > 64) {
    throw new PaymentError('invalid_payment_request', 'conversationId is a conversation id.');
  }
  let members: { userId: string }[];
  try {
    members = await ctx.conversations.members(conversationId);
  } catch {
    // The host lists members only to a member, so a refusal here is the bot not being in it (or no such
    // conversation); either way the payment cannot be shown there.
    throw new PaymentError(
      'conversation_unavailable',
      'The payments bot is not in that conversation: add it to post payments there.',
    );
  }
  const missing = userIds.filter((id) => !members.some((m) => m.userId === id));
  if (missing.length > 0)
    throw new PaymentError(
      'conversation_unavailable',
      `Both sides of the payment must be members of the conversation; ${missing.join(', ')} is not.`,
    );
  return conversationId;
}
