import type { PluginContext } from '../../../sdk/index.js';
import { checkMembers } from '../conversation-members.js';
import { checkAmount, checkCurrency } from '../currencies.js';
import { canonical, checkKey } from '../idempotency.js';
import { checkPerTransfer } from '../limits.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsState } from '../payments-state.js';
import type { PaymentsSettings } from '../settings.js';
import type { TransferResult } from './list-transfers.js';

export interface TransferRequest {
  to: string;
  amountMinor: number;
  currency: string;
  conversationId?: string;
  note?: string;
  idempotencyKey: string;
  pin: string;
}

/**
 * A free person-to-person transfer: the checks that need no lock (amount, currency, per-transfer
 * limit, recipient, conversation), then the PIN and one ledger transaction, group-committed with the
 * transfers that arrive meanwhile (see TransferBatcher). Nothing is charged twice, and no
 * balance goes below zero, however many times or how concurrently it is sent.
 */
export function transfer(
  ctx: PluginContext<PaymentsSettings>,
  state: PaymentsState,
  payerId: string,
  body: Partial<TransferRequest>,
): Promise<{ result: TransferResult; replayed: boolean }> {
  return state.metrics.transfer(checkedTransfer(ctx, state, payerId, body));
}

async function checkedTransfer(
  ctx: PluginContext<PaymentsSettings>,
  state: PaymentsState,
  payerId: string,
  body: Partial<TransferRequest>,
): Promise<{ result: TransferResult; replayed: boolean }> {
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 200))
    throw new PaymentError('invalid_payment_request', 'note is at most 200 characters.');
  checkPerTransfer(ctx, amount, 'A transfer');
  const payee = await state.recipients.find(body.to);
  if (payee.id === payerId) throw new PaymentError('self_transfer');
  const conversationId = body.conversationId ?? null;
  if (conversationId !== null) await checkMembers(ctx, conversationId, [payerId]);
  const pinAttempt = await state.pinKey.attempt(payerId, body.pin);
  const request = { to: payee.id, amountMinor: amount, currency, conversationId, note: body.note ?? null };
  return state.transfers.submit({
    transferId: await ctx.crypto.randomId(),
    payerId,
    payeeId: payee.id,
    amount,
    currency,
    conversationId,
    note: request.note,
    key,
    requestHash: await ctx.crypto.sha256(canonical(request)),
    pinAttempt,
  });
}

/** Posts the payment into the conversation as a message clients render; a retry posts nothing new. */
export async function announceTransfer(ctx: PluginContext<PaymentsSettings>, result: TransferResult): Promise<void> {
  if (!result.conversationId) return;
  await ctx.messages
    .send(
      result.conversationId,
      {
        type: 'payments.transfer',
        body: {
          transferId: result.transferId,
          from: result.from,
          to: result.to,
          amountMinor: result.amountMinor,
          currency: result.currency,
          note: result.note,
        },
      },
      { clientMsgId: `transfer-${result.transferId}` },
    )
    .catch((err: unknown) =>
      ctx.log.warn('could not post the transfer message', {
        transferId: result.transferId,
        error: String((err as Error).message),
      }),
    );
}
