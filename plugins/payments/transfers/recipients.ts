import type { PluginContext } from '../../../sdk/index.js';
import { findUser } from '../find-user.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';

const KNOWN_USERS_MAX = 100_000;

/**
 * Who a transfer may be sent to, with the people (never bots) already found, by id and by
 * @handle, for this run of the plugin: the host never deletes or renames users, so a known one
 * stays valid, and a transfer to a regular payee needs no lookup. Bounded; cleared when full.
 */
export class Recipients {
  private readonly known = new Map<string, string>();

  constructor(private readonly ctx: PluginContext<PaymentsSettings>) {}

  async find(to: unknown): Promise<{ id: string }> {
    if (typeof to !== 'string' || to.length === 0 || to.length > 64)
      throw new PaymentError('invalid_payment_request', '`to` is a user id or @handle.');
    const id = this.known.get(to.toLowerCase());
    if (id) return { id };
    const user = await findUser(this.ctx, to, 'recipient_not_found');
    // A plugin's bot has no PIN and no owner who could spend or pay out its wallet: money sent there
    // would sit out of reach. Plugins are paid through invoices (payment requests).
    if (user.kind === 'bot')
      throw new PaymentError(
        'recipient_is_bot',
        `${to} is a bot; money cannot be sent to a bot (pay a plugin through its invoice).`,
      );
    if (this.known.size >= KNOWN_USERS_MAX) this.known.clear();
    // Handles are fixed once taken (the host has no rename), so both spellings can be remembered.
    this.known.set(user.id.toLowerCase(), user.id);
    this.known.set(`@${user.handle.toLowerCase()}`, user.id);
    return user;
  }
}
