import type { PluginContext, PublicUser } from '../../sdk/index.js';
import { userAccount } from './accounts.js';
import { checkAmount, checkCurrency } from './currencies.js';
import { checkKey, once } from './idempotency.js';
import { postTransaction } from './ledger.js';
import { PaymentError } from './payment-error.js';
import { verifyPin } from './pins.js';
import type { PaymentsSettings } from './settings.js';

export interface TransferRequest {
  to: string;
  amountMinor: number;
  currency: string;
  conversationId?: string;
  note?: string;
  idempotencyKey: string;
  pin: string;
}

export interface TransferResult {
  transferId: string;
  status: 'completed';
  from: string;
  to: string;
  amountMinor: number;
  currency: string;
  conversationId: string | null;
  note: string | null;
  txId: number;
  createdAt: string;
  /** The payer's balance right after this transfer. */
  balanceAfterMinor: number;
}

const day = (at: number) => new Date(at).toISOString().slice(0, 10);

async function recipient(ctx: PluginContext<PaymentsSettings>, to: unknown): Promise<PublicUser> {
  if (typeof to !== 'string' || to.length === 0 || to.length > 64) throw new PaymentError('invalid_payment_request', '`to` is a user id or @handle.');
  try {
    return to.startsWith('@') ? await ctx.users.byHandle(to.slice(1)) : await ctx.users.get(to);
  } catch (err) {
    if ((err as { code?: string }).code === 'user_not_found' || (err as { code?: string }).code === 'invalid_request') throw new PaymentError('recipient_not_found', `No user ${to}.`);
    throw err;
  }
}

/**
 * A free person-to-person transfer: PIN, limits, then one ledger transaction under the payer's
 * idempotency key. Nothing is charged twice, and no balance goes below zero, however many
 * times or how concurrently it is sent.
 */
export async function transfer(ctx: PluginContext<PaymentsSettings>, payerId: string, body: Partial<TransferRequest>): Promise<{ result: TransferResult; replayed: boolean }> {
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 200)) throw new PaymentError('invalid_payment_request', 'note is at most 200 characters.');
  const { perTransferMinor, dailyMinor } = ctx.settings.limits;
  if (amount > perTransferMinor) throw new PaymentError('limit_exceeded', `A transfer may be at most ${perTransferMinor} minor units.`, { limitMinor: perTransferMinor });
  const payee = await recipient(ctx, body.to);
  if (payee.id === payerId) throw new PaymentError('self_transfer');
  const conversationId = body.conversationId ?? null;
  if (conversationId !== null) await checkConversation(ctx, conversationId, payerId);
  await verifyPin(ctx, payerId, body.pin);
  const request = { to: payee.id, amountMinor: amount, currency, conversationId, note: body.note ?? null };

  const transferId = await ctx.crypto.randomId();
  return ctx.database.transaction((tx) => once(tx, ctx.crypto, payerId, key, request, async () => {
    const now = Date.now();
    const today = day(now);
    await tx.table('daily_usage').insert({ user_id: payerId, day: today, currency, amount: 0 }, { onConflictIgnore: ['user_id', 'day', 'currency'] });
    const [usage] = await tx.table<{ user_id: string; day: string; currency: string; amount: number }>('daily_usage').where({ user_id: payerId, day: today, currency }).forUpdate().all();
    if (usage!.amount + amount > dailyMinor) {
      throw new PaymentError('limit_exceeded', `Transfers of ${currency} may total at most ${dailyMinor} minor units a day; ${usage!.amount} are used.`, { limitMinor: dailyMinor, usedMinor: usage!.amount });
    }
    await tx.table('daily_usage').where({ user_id: payerId, day: today, currency }).increment('amount', amount);
    const posted = await postTransaction(tx, ctx.crypto, {
      kind: 'transfer', ref: transferId, meta: { note: request.note },
      postings: [{ account: userAccount(payerId, currency), currency, amount: -amount }, { account: userAccount(payee.id, currency), currency, amount }],
    });
    await tx.table('transfers').insert({ id: transferId, from_user: payerId, to_user: payee.id, amount, currency, conversation_id: conversationId, note: request.note, tx_id: posted.txId, created_at: posted.createdAt });
    return {
      transferId, status: 'completed', from: payerId, to: payee.id, amountMinor: amount, currency, conversationId, note: request.note,
      txId: posted.txId, createdAt: new Date(posted.createdAt).toISOString(), balanceAfterMinor: posted.balances[userAccount(payerId, currency)]!,
    } satisfies TransferResult;
  })).then(({ response, replayed }) => ({ result: response, replayed }));
}

/** The payer and the payments bot must both be in the conversation the payment shows up in. */
export async function checkConversation(ctx: PluginContext<PaymentsSettings>, conversationId: unknown, payerId: string): Promise<void> {
  if (typeof conversationId !== 'string') throw new PaymentError('invalid_payment_request', 'conversationId is a string.');
  try {
    const members = await ctx.conversations.members(conversationId);
    if (!members.some((m) => m.userId === payerId)) throw new PaymentError('conversation_unavailable');
  } catch (err) {
    if (err instanceof PaymentError) throw err;
    throw new PaymentError('conversation_unavailable');
  }
}

/** Posts the payment into the conversation as a message clients render; a retry posts nothing new. */
export async function announceTransfer(ctx: PluginContext<PaymentsSettings>, result: TransferResult): Promise<void> {
  if (!result.conversationId) return;
  await ctx.messages.send(result.conversationId, {
    type: 'payments.transfer',
    body: { transferId: result.transferId, from: result.from, to: result.to, amountMinor: result.amountMinor, currency: result.currency, note: result.note },
  }, { clientMsgId: `transfer-${result.transferId}` }).catch((err: unknown) => ctx.log.warn('could not post the transfer message', { transferId: result.transferId, error: String((err as Error).message) }));
}
