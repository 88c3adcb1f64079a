import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import { checkAmount, checkCurrency, MAX_BALANCE_MINOR, MAX_MINOR } from '../currencies.js';
import { checkKey, once } from '../idempotency.js';
import { providerAccount, userAccount } from '../ledger/accounts.js';
import type { WalletRow } from '../ledger/post-transaction.js';
import { PaymentError } from '../payment-error.js';
import { ProviderUnavailable, type CardProvider, type ProviderResult } from '../providers/card-provider.js';
import type { PaymentsSettings } from '../settings.js';
import { book, operation, type OperationView, releaseUncharged, viewOf } from './operations.js';

/**
 * Money in from a card, in three steps that survive a crash between any two:
 * 1. record the operation as pending (under the user's idempotency key), once the wallet is
 *    known to stay within MAX_BALANCE_MINOR with it (admitCredit);
 * 2. ask the provider, with the operation's id as the provider's idempotency key;
 * 3. book the answer: post provider → user and mark it succeeded, once (the row is locked and
 *    its status checked in the same transaction).
 * A crash after 1 or 2 leaves a pending operation that reconcile() finishes.
 */
export async function topUp(
  ctx: PluginContext<PaymentsSettings>,
  provider: CardProvider,
  userId: string,
  body: Record<string, unknown>,
): Promise<{ view: OperationView; replayed: boolean }> {
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  if (typeof body.card !== 'string' || body.card.length === 0 || body.card.length > 64)
    throw new PaymentError('invalid_payment_request', '`card` is a card token.');
  const id = await ctx.crypto.randomId();
  const owner = `topup:${userId}`;
  const { response, replayed } = await ctx.database.transaction(async (tx) => {
    await releaseUncharged(tx, owner, key);
    return once(tx, ctx.crypto, owner, key, { amount, currency, card: body.card }, async () => {
      await admitCredit(tx, provider.name, userId, currency, amount);
      const now = Date.now();
      await tx.table('provider_operations').insert({
        id,
        kind: 'topup',
        user_id: userId,
        amount,
        currency,
        status: 'pending',
        provider_ref: null,
        failure: null,
        tx_id: null,
        created_at: now,
        updated_at: now,
      });
      return { operationId: id };
    });
  });
  return { view: await completeTopUp(ctx, provider, response.operationId, body.card), replayed };
}

/**
 * Before anything is charged: the wallet, with every top-up still pending for it and this one,
 * stays within MAX_BALANCE_MINOR (the wallet row is locked, so concurrent top-ups are counted
 * one after the other), and the provider's account stays far from -MAX_MINOR. So booking what
 * the provider charged can never overflow.
 */
async function admitCredit(
  tx: DatabaseTransaction,
  providerName: string,
  userId: string,
  currency: string,
  amount: number,
): Promise<void> {
  const account = userAccount(userId, currency);
  await tx
    .table('wallets')
    .insert(
      { account, currency, balance: 0, postings: 0, head_hash: '', may_go_negative: false },
      { onConflictIgnore: ['account'] },
    );
  const [wallet] = await tx.table<WalletRow>('wallets').where({ account }).forUpdate().all();
  const pendingSum = async (where: Record<string, unknown>) =>
    Number(
      (
        await tx
          .table('provider_operations')
          .where({ ...where, currency, kind: 'topup', status: 'pending' })
          .aggregate({ sum: ['amount'] })
      )[0]?.sum_amount ?? 0,
    );
  const incoming = await pendingSum({ user_id: userId });
  if (wallet!.balance + incoming + amount > MAX_BALANCE_MINOR) {
    throw new PaymentError(
      'balance_overflow',
      `A wallet holds at most ${MAX_BALANCE_MINOR} minor units; it has ${wallet!.balance}${incoming > 0 ? ` and ${incoming} on the way` : ''}.`,
      {
        maxBalanceMinor: MAX_BALANCE_MINOR,
        balanceMinor: wallet!.balance,
        pendingMinor: incoming,
        currency,
      },
    );
  }
  const providerWallet = await tx
    .table<WalletRow>('wallets')
    .where({ account: providerAccount(providerName, currency) })
    .first();
  if ((providerWallet?.balance ?? 0) - (await pendingSum({})) - amount < -(MAX_MINOR - MAX_BALANCE_MINOR)) {
    throw new PaymentError('balance_overflow', `The ledger cannot take in more ${currency} from the provider.`, {
      currency,
    });
  }
}

async function completeTopUp(
  ctx: PluginContext<PaymentsSettings>,
  provider: CardProvider,
  id: string,
  card: string,
): Promise<OperationView> {
  const op = await operation(ctx, id);
  if (op.status !== 'pending') return viewOf(op);
  let result: ProviderResult;
  try {
    result = await provider.charge({ key: op.id, amountMinor: op.amount, currency: op.currency, card });
  } catch (err) {
    if (err instanceof ProviderUnavailable) throw new PaymentError('provider_unavailable');
    throw err;
  }
  const booked = await book(ctx, provider.name, id, result);
  if (booked.status === 'declined') throw new PaymentError('card_declined', undefined, { operationId: id });
  return booked;
}
