import type { PluginContext, PublicUser } from '../../sdk/index.js';
import { PaymentError, type PaymentErrorCode } from './payment-error.js';
import type { PaymentsSettings } from './settings.js';

/**
 * A user named by id, or by @handle where `handles` allows it. A name the host does not know
 * (or cannot be a user id at all) is refused with `notFound`, so each caller says which party
 * was missing (recipient_not_found, payer_not_found); any other failure passes through.
 */
export async function findUser(
  ctx: PluginContext<PaymentsSettings>,
  who: string,
  notFound: PaymentErrorCode,
  handles = true,
): Promise<PublicUser> {
  try {
    return handles && who.startsWith('@') ? await ctx.users.byHandle(who.slice(1)) : await ctx.users.get(who);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'user_not_found' || code === 'invalid_request') throw new PaymentError(notFound, `No user ${who}.`);
    throw err;
  }
}
