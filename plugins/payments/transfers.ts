import type { PluginContext, PublicUser } from '../../sdk/index.js';
import { checkAmount, checkCurrency } from './currencies.js';
import { canonical, checkKey } from './idempotency.js';
import { TransferBatcher } from './transfer-batcher.js';
import { PaymentError } from './payment-error.js';
import { attemptHash } from './pins.js';
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


/**
 * Users known to exist, by id and by @handle, per run of the plugin: the host never deletes or
 * renames users, so a known one stays valid, and a transfer to a regular payee needs no lookup.
 * Bounded; cleared when full.
 */
const knownUsers = new WeakMap<object, Map<string, string>>();
const KNOWN_USERS_MAX = 100_000;

async function recipient(ctx: PluginContext<PaymentsSettings>, to: unknown): Promise<{ id: string }> {
  if (typeof to !== 'string' || to.length === 0 || to.length > 64) throw new PaymentError('invalid_payment_request', '`to` is a user id or @handle.');
  let known = knownUsers.get(ctx);
  if (!known) knownUsers.set(ctx, (known = new Map()));
  const id = known.get(to.toLowerCase());
  if (id) return { id };
  try {
    const user: PublicUser = to.startsWith('@') ? await ctx.users.byHandle(to.slice(1)) : await ctx.users.get(to);
    if (known.size >= KNOWN_USERS_MAX) known.clear();
    // Handles are fixed once taken (the host has no rename), so both spellings can be remembered.
    known.set(user.id.toLowerCase(), user.id);
    known.set(`@${user.handle.toLowerCase()}`, user.id);
    return user;
  } catch (err) {
    if ((err as { code?: string }).code === 'user_not_found' || (err as { code?: string }).code === 'invalid_request') throw new PaymentError('recipient_not_found', `No user ${to}.`);
    throw err;
  }
}

const batchers = new WeakMap<object, TransferBatcher>();

/**
 * A free person-to-person transfer: the checks that need no lock (amount, currency, per-transfer
 * limit, recipient, conversation), then the PIN and one ledger transaction, group-committed with the
 * transfers that arrive meanwhile (see TransferBatcher). Nothing is charged twice, and no
 * balance goes below zero, however many times or how concurrently it is sent.
 */
export async function transfer(ctx: PluginContext<PaymentsSettings>, payerId: string, body: Partial<TransferRequest>): Promise<{ result: TransferResult; replayed: boolean }> {
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  if (body.note !== undefined && (typeof body.note !== 'string' || body.note.length > 200)) throw new PaymentError('invalid_payment_request', 'note is at most 200 characters.');
  const { perTransferMinor } = ctx.settings.limits;
  if (amount > perTransferMinor) throw new PaymentError('limit_exceeded', `A transfer may be at most ${perTransferMinor} minor units.`, { limitMinor: perTransferMinor });
  const payee = await recipient(ctx, body.to);
  if (payee.id === payerId) throw new PaymentError('self_transfer');
  const conversationId = body.conversationId ?? null;
  if (conversationId !== null) await checkConversation(ctx, conversationId, payerId);
  const pinAttempt = await attemptHash(ctx, payerId, body.pin);
  const request = { to: payee.id, amountMinor: amount, currency, conversationId, note: body.note ?? null };
  let batcher = batchers.get(ctx);
  if (!batcher) batchers.set(ctx, (batcher = new TransferBatcher(ctx)));
  return batcher.submit({
    transferId: await ctx.crypto.randomId(), payerId, payeeId: payee.id, amount, currency, conversationId, note: request.note,
    key, requestHash: await ctx.crypto.sha256(canonical(request)), pinAttempt,
  });
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
