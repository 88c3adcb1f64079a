import type { PluginContext, PublicUser } from '../../sdk/index.js';
import { checkAmount, checkCurrency } from './currencies.js';
import { canonical, checkKey } from './idempotency.js';
import { checkPerTransfer } from './limits.js';
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

/**
 * A transfer, as POST /transfers answers it and GET /transfers lists it: one shape.
 * `balanceAfterMinor` is the viewer's own balance right after it (the payer's for what they sent,
 * the payee's for what they received).
 */
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
  /** The payer's balance right after this transfer (in a list: the viewer's). */
  balanceAfterMinor: number;
}

interface TransferRow { id: string; from_user: string; to_user: string; amount: number; currency: string; conversation_id: string | null; note: string | null; tx_id: number; created_at: number; [c: string]: unknown }

/** GET /transfers: the latest 100 sent and received, each in the shape POST /transfers answers. */
export async function listTransfers(ctx: PluginContext<PaymentsSettings>, userId: string): Promise<{ sent: TransferResult[]; received: TransferResult[] }> {
  const latest = (column: 'from_user' | 'to_user') => ctx.database.table<TransferRow>('transfers').where({ [column]: userId }).orderBy('created_at', 'desc').orderBy('tx_id', 'desc').limit(100).all();
  const [sent, received] = [await latest('from_user'), await latest('to_user')];
  const txIds = [...new Set([...sent, ...received].map((t) => t.tx_id))];
  const after = new Map<string, number>();
  if (txIds.length > 0) {
    const postings = await ctx.database.table<{ tx_id: number; account: string; balance_after: number; [c: string]: unknown }>('postings')
      .whereIn('tx_id', txIds).columns('tx_id', 'account', 'balance_after').all();
    for (const p of postings) after.set(`${p.tx_id}|${p.account}`, p.balance_after);
  }
  const view = (t: TransferRow): TransferResult => ({
    transferId: t.id, status: 'completed', from: t.from_user, to: t.to_user, amountMinor: t.amount, currency: t.currency,
    conversationId: t.conversation_id, note: t.note, txId: t.tx_id, createdAt: new Date(t.created_at).toISOString(),
    balanceAfterMinor: after.get(`${t.tx_id}|user:${userId}:${t.currency}`) ?? 0,
  });
  return { sent: sent.map(view), received: received.map(view) };
}

/**
 * People (never bots) known to exist, by id and by @handle, per run of the plugin: the host never
 * deletes or renames users, so a known one stays valid, and a transfer to a regular payee needs no lookup.
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
  let user: PublicUser;
  try {
    user = to.startsWith('@') ? await ctx.users.byHandle(to.slice(1)) : await ctx.users.get(to);
  } catch (err) {
    if ((err as { code?: string }).code === 'user_not_found' || (err as { code?: string }).code === 'invalid_request') throw new PaymentError('recipient_not_found', `No user ${to}.`);
    throw err;
  }
  // A plugin's bot has no PIN and no owner who could spend or pay out its wallet: money sent there
  // would sit out of reach. Plugins are paid through invoices (payment requests).
  if (user.kind === 'bot') throw new PaymentError('recipient_is_bot', `${to} is a bot; money cannot be sent to a bot (pay a plugin through its invoice).`);
  if (known.size >= KNOWN_USERS_MAX) known.clear();
  // Handles are fixed once taken (the host has no rename), so both spellings can be remembered.
  known.set(user.id.toLowerCase(), user.id);
  known.set(`@${user.handle.toLowerCase()}`, user.id);
  return user;
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
  checkPerTransfer(ctx, amount, 'A transfer');
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
