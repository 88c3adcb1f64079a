import type { PluginContext, PublicUser } from '../../../sdk/index.js';
import { checkAmount, checkCurrency } from '../currencies.js';
import { checkMembers } from '../conversation-members.js';
import { findUser } from '../find-user.js';
import { checkKey, once } from '../idempotency.js';
import { checkPerTransfer } from '../limits.js';
import { PaymentError } from '../payment-error.js';
import { refuseUnknownFields } from '../api/route-bodies.js';
import { loadRequest } from './read-requests.js';
import {
  MESSAGE_TYPE,
  messageBodyOf,
  requestsSettings,
  syncMessage,
  viewOf,
  type RequestKind,
  type RequestLine,
  type RequestRow,
  type RequestStatus,
  type RequestView,
} from './request-records.js';
import type { PaymentsSettings } from '../settings.js';

/**
 * Payment requests (docs: the report of this feature, and docs/payments.md):
 *
 * - kind "user": a person asks another for money in a conversation (POST /requests); the money
 *   goes to the person who asked.
 * - kind "invoice": a plugin or mini-app asks through the service payments.request; the money
 *   goes to the calling plugin's bot. Before anything is charged, the caller's
 *   `<plugin>.preCheckout` must answer `{ ok: true }` within the deadline.
 *
 * States: open → paid | declined | expired | failed. An invoice passes through `processing`
 * while its pre-checkout runs: the payer's confirmation claims the request (row lock + state
 * check), so only one confirmation ever reaches the requester and money moves at most once, in
 * the ledger transaction that also marks the request paid.
 */

const MAX_LINES = 50;

// ---- validation -----------------------------------------------------------------

function invalid(message: string): PaymentError {
  return new PaymentError('invalid_payment_request', message);
}

async function findPayer(
  ctx: PluginContext<PaymentsSettings>,
  who: unknown,
  field: 'from' | 'payerId',
): Promise<PublicUser> {
  if (typeof who !== 'string' || who.length === 0 || who.length > 64)
    throw invalid(`\`${field}\` is a user id${field === 'from' ? ' or @handle' : ''}.`);
  return findUser(ctx, who, 'payer_not_found', field === 'from');
}

const INVOICE_FIELDS = [
  'payerId',
  'conversationId',
  'currency',
  'amountMinor',
  'description',
  'lines',
  'idempotencyKey',
  'payee',
] as const;
const LINE_FIELDS = ['itemId', 'name', 'qty', 'unitMinor', 'lineMinor'] as const;

export function checkLines(value: unknown, amount: number): RequestLine[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length > MAX_LINES)
    throw invalid(`lines is an array of at most ${MAX_LINES} lines.`);
  if (value.length === 0) return null;
  let sum = 0;
  const lines = value.map((line: unknown, n): RequestLine => {
    if (line === null || typeof line !== 'object' || Array.isArray(line)) throw invalid(`lines[${n}] is an object.`);
    refuseUnknownFields(line, LINE_FIELDS, `lines[${n}]`);
    const { itemId, name, qty, unitMinor, lineMinor } = line as Record<string, unknown>;
    if (itemId !== undefined && (typeof itemId !== 'string' || itemId.length > 64))
      throw invalid(`lines[${n}].itemId is a string of at most 64 characters.`);
    if (typeof name !== 'string' || name.length < 1 || name.length > 100)
      throw invalid(`lines[${n}].name is a string of 1 to 100 characters.`);
    if (typeof qty !== 'number' || !Number.isSafeInteger(qty) || qty < 1)
      throw invalid(`lines[${n}].qty is a positive whole number.`);
    if (typeof unitMinor !== 'number' || !Number.isSafeInteger(unitMinor) || unitMinor < 0)
      throw invalid(`lines[${n}].unitMinor is a whole number of minor units.`);
    if (typeof lineMinor !== 'number' || !Number.isSafeInteger(lineMinor) || lineMinor !== qty * unitMinor)
      throw invalid(`lines[${n}].lineMinor must be qty × unitMinor (${qty} × ${unitMinor}).`);
    sum += lineMinor;
    return { ...(itemId !== undefined ? { itemId } : {}), name, qty, unitMinor, lineMinor };
  });
  if (sum !== amount) throw invalid(`The lines sum to ${sum}, not to amountMinor ${amount}.`);
  return lines;
}

interface NewRequest {
  kind: RequestKind;
  payerId: string;
  payeeId: string;
  pluginId: string | null;
  conversationId: string;
  amount: number;
  currency: string;
  description: string | null;
  lines: RequestLine[] | null;
}

/** Records the request once per (owner, key), then posts its message (again, should a crash have lost it). */
async function create(
  ctx: PluginContext<PaymentsSettings>,
  owner: string,
  key: string,
  request: NewRequest,
): Promise<{ row: RequestRow; replayed: boolean }> {
  const id = await ctx.crypto.randomId();
  const { expireAfterSeconds } = requestsSettings(ctx);
  const { response, replayed } = await ctx.database.transaction((tx) =>
    once(tx, ctx.crypto, owner, key, request, async () => {
      const now = Date.now();
      await tx.table('requests').insert({
        id,
        kind: request.kind,
        payer_id: request.payerId,
        payee_id: request.payeeId,
        plugin_id: request.pluginId,
        conversation_id: request.conversationId,
        amount: request.amount,
        currency: request.currency,
        description: request.description,
        lines: request.lines as never,
        status: 'open',
        reason: null,
        message_id: null,
        pay_key: null,
        tx_id: null,
        expires_at: now + expireAfterSeconds * 1000,
        created_at: now,
        updated_at: now,
        paid_at: null,
      });
      return { requestId: id };
    }),
  );
  let row = (await loadRequest(ctx, response.requestId))!;
  if (row.message_id === null) row = await postMessage(ctx, row);
  return { row, replayed };
}

/** POST /requests: the requester (a person) asks `from` for money in a conversation both are in. */
export async function createUserRequest(
  ctx: PluginContext<PaymentsSettings>,
  requesterId: string,
  body: Record<string, unknown>,
): Promise<{ view: RequestView; replayed: boolean }> {
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  checkPerTransfer(ctx, amount);
  if (body.note !== undefined && body.note !== null && (typeof body.note !== 'string' || body.note.length > 200))
    throw invalid('note is at most 200 characters.');
  const payer = await findPayer(ctx, body.from, 'from');
  if (payer.id === requesterId) throw new PaymentError('self_transfer', 'You cannot request money from yourself.');
  const conversationId = await checkMembers(ctx, body.conversationId, [requesterId, payer.id]);
  const { row, replayed } = await create(ctx, `request:${requesterId}`, key, {
    kind: 'user',
    payerId: payer.id,
    payeeId: requesterId,
    pluginId: null,
    conversationId,
    amount,
    currency,
    description: typeof body.note === 'string' ? body.note : null,
    lines: null,
  });
  return { view: viewOf(row), replayed };
}

/** The bot of the plugin with this id (plugin bot handles equal plugin ids). */
async function pluginBot(ctx: PluginContext<PaymentsSettings>, pluginId: string): Promise<PublicUser> {
  let bot: PublicUser | null = null;
  try {
    bot = await ctx.users.byHandle(pluginId);
  } catch (err) {
    if ((err as { code?: string }).code !== 'user_not_found') throw err;
  }
  if (!bot || bot.kind !== 'bot')
    throw new PaymentError('invalid_state', `The calling plugin ${pluginId} has no bot user to be paid.`);
  return bot;
}

/** The service payments.request: an invoice from `pluginId` (named by the host, never by the input). */
export async function createInvoice(
  ctx: PluginContext<PaymentsSettings>,
  pluginId: string,
  input: unknown,
): Promise<{ requestId: string; status: RequestStatus }> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw invalid('The input is an object.');
  refuseUnknownFields(input, INVOICE_FIELDS, 'payments.request');
  const i = input as Record<string, unknown>;
  const key = checkKey(i.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, i.currency);
  const amount = checkAmount(i.amountMinor);
  checkPerTransfer(ctx, amount);
  if (typeof i.description !== 'string' || i.description.length < 1 || i.description.length > 500)
    throw invalid('description is a string of 1 to 500 characters.');
  const lines = checkLines(i.lines, amount);
  const payer = await findPayer(ctx, i.payerId, 'payerId');
  const payee = await pluginBot(ctx, pluginId);
  if (i.payee !== undefined && i.payee !== null && i.payee !== payee.id && i.payee !== `@${pluginId}`) {
    throw invalid(`Invoices are paid to the calling plugin's bot (@${pluginId}); payee may only name it.`);
  }
  if (payer.id === payee.id) throw new PaymentError('self_transfer', 'A plugin cannot invoice its own bot.');
  const conversationId = await checkMembers(ctx, i.conversationId, [payer.id]);
  const { row } = await create(ctx, `request:plugin:${pluginId}`, key, {
    kind: 'invoice',
    payerId: payer.id,
    payeeId: payee.id,
    pluginId,
    conversationId,
    amount,
    currency,
    description: i.description,
    lines,
  });
  return { requestId: row.id, status: row.status };
}

// ---- the message ----------------------------------------------------------------

async function postMessage(ctx: PluginContext<PaymentsSettings>, row: RequestRow): Promise<RequestRow> {
  try {
    const message = await ctx.messages.send(
      row.conversation_id,
      { type: MESSAGE_TYPE, body: messageBodyOf(row) as never },
      { clientMsgId: `request-${row.id}` },
    );
    await ctx.database
      .table('requests')
      .where({ id: row.id })
      .whereNull('message_id')
      .update({ message_id: message.id });
  } catch (err) {
    ctx.log.warn('could not post the payment request message', {
      requestId: row.id,
      error: String((err as Error).message),
    });
    return row;
  }
  const fresh = (await loadRequest(ctx, row.id))!;
  // Paid or declined while the message was on its way: show that.
  if (fresh.status !== row.status) await syncMessage(ctx, fresh);
  return fresh;
}
