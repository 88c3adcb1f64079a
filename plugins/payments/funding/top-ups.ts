import type { DatabaseTransaction, PluginContext } from '../../sdk/index.js';
import { providerAccount, userAccount } from './accounts.js';
import { checkAmount, checkCurrency, MAX_BALANCE_MINOR, MAX_MINOR } from './currencies.js';
import { checkKey, once } from './idempotency.js';
import { postTransaction, type WalletRow } from './ledger.js';
import { checkPerTransfer, releaseDaily, spendDaily } from './limits.js';
import { PaymentError } from './payment-error.js';
import { ProviderUnavailable, type CardProvider, type ProviderResult } from './providers/card-provider.js';
import type { PaymentsSettings } from './settings.js';
import { verifyPin } from './pins.js';

export interface OperationRow {
  id: string; kind: 'topup' | 'payout'; user_id: string; amount: number; currency: string;
  status: 'pending' | 'succeeded' | 'declined' | 'abandoned'; provider_ref: string | null; failure: string | null;
  tx_id: number | null; created_at: number; updated_at: number; [c: string]: unknown;
}

export interface OperationView {
  operationId: string; kind: OperationRow['kind']; status: OperationRow['status']; amountMinor: number; currency: string;
  providerRef: string | null; failure: string | null;
}

export const viewOf = (r: OperationRow): OperationView => ({
  operationId: r.id, kind: r.kind, status: r.status, amountMinor: r.amount, currency: r.currency, providerRef: r.provider_ref, failure: r.failure,
});

/**
 * Money in from a card, in three steps that survive a crash between any two:
 * 1. record the operation as pending (under the user's idempotency key), once the wallet is
 *    known to stay within MAX_BALANCE_MINOR with it (admitCredit);
 * 2. ask the provider, with the operation's id as the provider's idempotency key;
 * 3. book the answer: post provider → user and mark it succeeded, once (the row is locked and
 *    its status checked in the same transaction).
 * A crash after 1 or 2 leaves a pending operation that reconcile() finishes.
 */
export async function topUp(ctx: PluginContext<PaymentsSettings>, provider: CardProvider, userId: string, body: Record<string, unknown>): Promise<{ view: OperationView; replayed: boolean }> {
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  if (typeof body.card !== 'string' || body.card.length === 0 || body.card.length > 64) throw new PaymentError('invalid_payment_request', '`card` is a card token.');
  const id = await ctx.crypto.randomId();
  const owner = `topup:${userId}`;
  const { response, replayed } = await ctx.database.transaction(async (tx) => {
    await releaseUncharged(tx, owner, key);
    return once(tx, ctx.crypto, owner, key, { amount, currency, card: body.card }, async () => {
      await admitCredit(tx, provider.name, userId, currency, amount);
      const now = Date.now();
      await tx.table('provider_operations').insert({ id, kind: 'topup', user_id: userId, amount, currency, status: 'pending', provider_ref: null, failure: null, tx_id: null, created_at: now, updated_at: now });
      return { operationId: id };
    });
  });
  return { view: await completeTopUp(ctx, provider, response.operationId, body.card), replayed };
}

/**
 * A key whose operation charged nothing (the provider declined it, or it was abandoned because it
 * never happened) is freed, so the same key may be used again, for this or another request.
 */
async function releaseUncharged(tx: DatabaseTransaction, owner: string, key: string): Promise<void> {
  const [stored] = await tx.table<{ owner: string; key: string; response: { operationId?: string } | null }>('idempotency').where({ owner, key }).forUpdate().all();
  const operationId = stored?.response?.operationId;
  if (typeof operationId !== 'string') return;
  const op = await tx.table<OperationRow>('provider_operations').where({ id: operationId }).first();
  if (op && (op.status === 'declined' || op.status === 'abandoned')) await tx.table('idempotency').where({ owner, key }).delete();
}

/**
 * Before anything is charged: the wallet, with every top-up still pending for it and this one,
 * stays within MAX_BALANCE_MINOR (the wallet row is locked, so concurrent top-ups are counted
 * one after the other), and the provider's account stays far from -MAX_MINOR. So booking what
 * the provider charged can never overflow.
 */
async function admitCredit(tx: DatabaseTransaction, providerName: string, userId: string, currency: string, amount: number): Promise<void> {
  const account = userAccount(userId, currency);
  await tx.table('wallets').insert({ account, currency, balance: 0, postings: 0, head_hash: '', may_go_negative: false }, { onConflictIgnore: ['account'] });
  const [wallet] = await tx.table<WalletRow>('wallets').where({ account }).forUpdate().all();
  const pendingSum = async (where: Record<string, unknown>) => Number((await tx.table('provider_operations').where({ ...where, currency, kind: 'topup', status: 'pending' }).aggregate({ sum: ['amount'] }))[0]?.sum_amount ?? 0);
  const incoming = await pendingSum({ user_id: userId });
  if (wallet!.balance + incoming + amount > MAX_BALANCE_MINOR) {
    throw new PaymentError('balance_overflow', `A wallet holds at most ${MAX_BALANCE_MINOR} minor units; it has ${wallet!.balance}${incoming > 0 ? ` and ${incoming} on the way` : ''}.`, {
      maxBalanceMinor: MAX_BALANCE_MINOR, balanceMinor: wallet!.balance, pendingMinor: incoming, currency,
    });
  }
  const providerWallet = await tx.table<WalletRow>('wallets').where({ account: providerAccount(providerName, currency) }).first();
  if ((providerWallet?.balance ?? 0) - await pendingSum({}) - amount < -(MAX_MINOR - MAX_BALANCE_MINOR)) {
    throw new PaymentError('balance_overflow', `The ledger cannot take in more ${currency} from the provider.`, { currency });
  }
}

export async function operation(ctx: PluginContext<PaymentsSettings>, id: string): Promise<OperationRow> {
  const row = await ctx.database.table<OperationRow>('provider_operations').where({ id }).first();
  if (!row) throw new PaymentError('not_found', `No operation ${id}.`);
  return row;
}

async function completeTopUp(ctx: PluginContext<PaymentsSettings>, provider: CardProvider, id: string, card: string): Promise<OperationView> {
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

/** Step 3, exactly once: whoever locks the pending row first books it; the others see it done. */
export async function book(ctx: PluginContext<PaymentsSettings>, providerName: string, id: string, result: { ref: string; status: string; reason?: string }): Promise<OperationView> {
  return ctx.database.transaction(async (tx) => {
    const [op] = await tx.table<OperationRow>('provider_operations').where({ id }).forUpdate().all();
    if (!op) throw new PaymentError('not_found', `No operation ${id}.`);
    if (op.status !== 'pending') return viewOf(op);
    const now = Date.now();
    if (op.kind === 'payout') {
      // The money left the wallet when the payout was recorded; a payout that did not happen
      // comes back as a new, correcting transaction.
      if (result.status === 'succeeded') {
        await tx.table('provider_operations').where({ id }).update({ status: 'succeeded', provider_ref: result.ref, updated_at: now });
        return viewOf({ ...op, status: 'succeeded', provider_ref: result.ref });
      }
      await releaseDaily(tx, op.user_id, op.currency, op.amount, op.created_at);
      await postTransaction(tx, ctx.crypto, {
        kind: 'payout_reversal', ref: op.id, meta: { provider: providerName, reason: result.reason ?? result.status }, settle: true,
        postings: [{ account: providerAccount(providerName, op.currency), currency: op.currency, amount: -op.amount }, { account: userAccount(op.user_id, op.currency), currency: op.currency, amount: op.amount }],
      });
      const status = result.status === 'declined' ? 'declined' : 'abandoned';
      await tx.table('provider_operations').where({ id }).update({ status, provider_ref: result.ref, failure: result.reason ?? result.status, updated_at: now });
      return viewOf({ ...op, status, provider_ref: result.ref, failure: result.reason ?? result.status });
    }
    if (result.status === 'succeeded') {
      const posted = await postTransaction(tx, ctx.crypto, {
        kind: op.kind, ref: op.id, meta: { provider: providerName, providerRef: result.ref }, settle: true,
        postings: [{ account: providerAccount(providerName, op.currency), currency: op.currency, amount: -op.amount }, { account: userAccount(op.user_id, op.currency), currency: op.currency, amount: op.amount }],
      });
      await tx.table('provider_operations').where({ id }).update({ status: 'succeeded', provider_ref: result.ref, tx_id: posted.txId, updated_at: now });
      return viewOf({ ...op, status: 'succeeded', provider_ref: result.ref, tx_id: posted.txId });
    }
    const status = result.status === 'declined' ? 'declined' : 'abandoned';
    await tx.table('provider_operations').where({ id }).update({ status, provider_ref: result.ref, failure: result.reason ?? result.status, updated_at: now });
    return viewOf({ ...op, status, provider_ref: result.ref, failure: result.reason ?? result.status });
  });
}

/**
 * Money out to a bank account or card: the payout is booked (person → provider) and recorded as
 * pending in one transaction, under the person's PIN and idempotency key; then the provider is
 * asked; a payout it declines, or never made, is reversed by a correcting transaction, once.
 */
export async function payout(ctx: PluginContext<PaymentsSettings>, provider: CardProvider, userId: string, body: Record<string, unknown>): Promise<{ view: OperationView; replayed: boolean }> {
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  if (typeof body.destination !== 'string' || body.destination.length === 0 || body.destination.length > 64) throw new PaymentError('invalid_payment_request', '`destination` is a bank account or card token.');
  checkPerTransfer(ctx, amount, 'A payout');
  await verifyPin(ctx, userId, body.pin);
  const id = await ctx.crypto.randomId();
  const owner = `payout:${userId}`;
  const { response, replayed } = await ctx.database.transaction(async (tx) => {
    await releaseUncharged(tx, owner, key);
    return once(tx, ctx.crypto, owner, key, { amount, currency, destination: body.destination }, async () => {
      const now = Date.now();
      // A payout counts against the daily limit like a transfer (given back if the provider refuses it).
      await spendDaily(tx, ctx, userId, currency, amount, now);
      const posted = await postTransaction(tx, ctx.crypto, {
        kind: 'payout', ref: id, meta: { provider: provider.name },
        postings: [{ account: userAccount(userId, currency), currency, amount: -amount }, { account: providerAccount(provider.name, currency), currency, amount }],
      });
      await tx.table('provider_operations').insert({ id, kind: 'payout', user_id: userId, amount, currency, status: 'pending', provider_ref: null, failure: null, tx_id: posted.txId, created_at: now, updated_at: now });
      return { operationId: id };
    });
  });
  const op = await operation(ctx, response.operationId);
  if (op.status !== 'pending') return { view: viewOf(op), replayed };
  let result: ProviderResult;
  try {
    result = await provider.payout({ key: op.id, amountMinor: op.amount, currency: op.currency, destination: String(body.destination) });
  } catch (err) {
    if (err instanceof ProviderUnavailable) throw new PaymentError('provider_unavailable', undefined, { operationId: op.id });
    throw err;
  }
  const booked = await book(ctx, provider.name, op.id, result);
  if (booked.status === 'declined') throw new PaymentError('card_declined', 'The provider refused the payout; the money is back in the wallet.', { operationId: op.id });
  return { view: booked, replayed };
}
