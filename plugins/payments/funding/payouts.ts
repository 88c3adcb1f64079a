import type { PluginContext } from '../../../sdk/index.js';
import { checkAmount, checkCurrency } from '../currencies.js';
import { checkKey, once } from '../idempotency.js';
import { providerAccount, userAccount } from '../ledger/accounts.js';
import { postTransaction } from '../ledger/post-transaction.js';
import { checkPerTransfer, spendDaily } from '../limits.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsState } from '../payments-state.js';
import { verifyPin } from '../pins/verify-pin.js';
import { ProviderUnavailable, type ProviderResult } from '../providers/card-provider.js';
import type { PaymentsSettings } from '../settings.js';
import { book, operation, type OperationView, releaseUncharged, viewOf } from './operations.js';

/**
 * Money out to a bank account or card: the payout is booked (person → provider) and recorded as
 * pending in one transaction, under the person's PIN and idempotency key; then the provider is
 * asked; a payout it declines, or never made, is reversed by a correcting transaction, once.
 */
export async function payout(
  ctx: PluginContext<PaymentsSettings>,
  { provider, pinKey }: PaymentsState,
  userId: string,
  body: Record<string, unknown>,
): Promise<{ view: OperationView; replayed: boolean }> {
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  if (typeof body.destination !== 'string' || body.destination.length === 0 || body.destination.length > 64)
    throw new PaymentError('invalid_payment_request', '`destination` is a bank account or card token.');
  checkPerTransfer(ctx, amount, 'A payout');
  await verifyPin(ctx, pinKey, userId, body.pin);
  const id = await ctx.crypto.randomId();
  const owner = `payout:${userId}`;
  const { response, replayed } = await ctx.database.transaction(async (tx) => {
    await releaseUncharged(tx, owner, key);
    return once(tx, ctx.crypto, owner, key, { amount, currency, destination: body.destination }, async () => {
      const now = Date.now();
      // A payout counts against the daily limit like a transfer (given back if the provider refuses it).
      await spendDaily(tx, ctx, userId, currency, amount, now);
      const posted = await postTransaction(tx, ctx.crypto, {
        kind: 'payout',
        ref: id,
        meta: { provider: provider.name },
        postings: [
          { account: userAccount(userId, currency), currency, amount: -amount },
          { account: providerAccount(provider.name, currency), currency, amount },
        ],
      });
      await tx.table('provider_operations').insert({
        id,
        kind: 'payout',
        user_id: userId,
        amount,
        currency,
        status: 'pending',
        provider_ref: null,
        failure: null,
        tx_id: posted.txId,
        created_at: now,
        updated_at: now,
      });
      return { operationId: id };
    });
  });
  const op = await operation(ctx, response.operationId);
  if (op.status !== 'pending') return { view: viewOf(op), replayed };
  let result: ProviderResult;
  try {
    result = await provider.payout({
      key: op.id,
      amountMinor: op.amount,
      currency: op.currency,
      destination: String(body.destination),
    });
  } catch (err) {
    if (err instanceof ProviderUnavailable)
      throw new PaymentError('provider_unavailable', undefined, { operationId: op.id });
    throw err;
  }
  const booked = await book(ctx, provider.name, op.id, result);
  if (booked.status === 'declined')
    throw new PaymentError('card_declined', 'The provider refused the payout; the money is back in the wallet.', {
      operationId: op.id,
    });
  return { view: booked, replayed };
}
