import type { DatabaseTransaction, PluginContext, PublicUser } from '../../sdk/index.js';
import { userAccount } from './accounts.js';
import { checkAmount, checkCurrency } from './currencies.js';
import { checkKey, once } from './idempotency.js';
import { balanceOf, postTransaction } from './ledger.js';
import { PaymentError } from './payment-error.js';
import { verifyPin } from './pins.js';
import type { PaymentsSettings } from './settings.js';

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

export type RequestKind = 'user' | 'invoice';
export type RequestStatus = 'open' | 'processing' | 'paid' | 'declined' | 'expired' | 'failed';
export const TERMINAL_STATUSES: readonly RequestStatus[] = ['paid', 'declined', 'expired', 'failed'];

export interface RequestLine { itemId?: string; name: string; qty: number; unitMinor: number; lineMinor: number }

export interface RequestRow {
  id: string; kind: RequestKind; payer_id: string; payee_id: string; plugin_id: string | null; conversation_id: string;
  amount: number; currency: string; description: string | null; lines: RequestLine[] | null; status: RequestStatus;
  reason: string | null; message_id: string | null; pay_key: string | null; tx_id: number | null;
  expires_at: number; created_at: number; updated_at: number; paid_at: number | null;
  [c: string]: unknown;
}

export interface RequestView {
  requestId: string;
  kind: RequestKind;
  status: RequestStatus;
  payerId: string;
  /** Who receives the money: the person who asked, or the invoicing plugin's bot. */
  payeeId: string;
  /** The invoicing plugin, or null for a person's request. */
  pluginId: string | null;
  conversationId: string;
  amountMinor: number;
  currency: string;
  description: string | null;
  lines: RequestLine[] | null;
  reason: string | null;
  messageId: string | null;
  txId: number | null;
  expiresAt: string;
  createdAt: string;
  updatedAt: string;
  paidAt: string | null;
}

/** The structured message `payments.request` (its JSON Schema is in manifests/payments.json). */
export interface RequestMessageBody {
  requestId: string;
  kind: RequestKind;
  payerId: string;
  payeeId: string;
  pluginId: string | null;
  amountMinor: number;
  currency: string;
  description: string | null;
  lines: RequestLine[] | null;
  status: RequestStatus;
  reason: string | null;
  expiresAt: string;
}

export interface RequestsSettings {
  /** An open request expires this long after it was made. */
  expireAfterSeconds: number;
  /** How long the requester's preCheckout (and paymentResult) may take to answer. */
  preCheckoutTimeoutMs: number;
}

const DEFAULTS: RequestsSettings = { expireAfterSeconds: 604_800, preCheckoutTimeoutMs: 5_000 };
/** Requests left in `processing` this long past the pre-checkout deadline were interrupted (a crash). */
export const STALE_PROCESSING_MS = 60_000;
export const MESSAGE_TYPE = 'payments.request';
const MAX_LINES = 50;

export function requestsSettings(ctx: PluginContext<PaymentsSettings>): RequestsSettings {
  const given = (ctx.settings as unknown as { requests?: Partial<RequestsSettings> }).requests ?? {};
  return { ...DEFAULTS, ...given };
}

const iso = (ms: number) => new Date(ms).toISOString();
const day = (at: number) => new Date(at).toISOString().slice(0, 10);

export const viewOf = (r: RequestRow): RequestView => ({
  requestId: r.id, kind: r.kind, status: r.status, payerId: r.payer_id, payeeId: r.payee_id, pluginId: r.plugin_id,
  conversationId: r.conversation_id, amountMinor: r.amount, currency: r.currency, description: r.description, lines: r.lines,
  reason: r.reason, messageId: r.message_id, txId: r.tx_id, expiresAt: iso(r.expires_at), createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at), paidAt: r.paid_at === null ? null : iso(r.paid_at),
});

export const messageBodyOf = (r: RequestRow): RequestMessageBody => ({
  requestId: r.id, kind: r.kind, payerId: r.payer_id, payeeId: r.payee_id, pluginId: r.plugin_id, amountMinor: r.amount,
  currency: r.currency, description: r.description, lines: r.lines, status: r.status, reason: r.reason, expiresAt: iso(r.expires_at),
});

// ---- validation -----------------------------------------------------------------

function invalid(message: string): PaymentError {
  return new PaymentError('invalid_payment_request', message);
}

function checkPerTransfer(ctx: PluginContext<PaymentsSettings>, amount: number): void {
  const { perTransferMinor } = ctx.settings.limits;
  if (amount > perTransferMinor) throw new PaymentError('limit_exceeded', `A payment may be at most ${perTransferMinor} minor units.`, { limitMinor: perTransferMinor });
}

async function findPayer(ctx: PluginContext<PaymentsSettings>, who: unknown, field: string): Promise<PublicUser> {
  if (typeof who !== 'string' || who.length === 0 || who.length > 64) throw invalid(`\`${field}\` is a user id${field === 'from' ? ' or @handle' : ''}.`);
  try {
    return who.startsWith('@') && field === 'from' ? await ctx.users.byHandle(who.slice(1)) : await ctx.users.get(who);
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'user_not_found' || code === 'invalid_request') throw new PaymentError('payer_not_found', `No user ${who}.`);
    throw err;
  }
}

/** The conversation the request is posted in: the payments bot and each of `userIds` must be members. */
async function checkMembers(ctx: PluginContext<PaymentsSettings>, conversationId: unknown, userIds: string[]): Promise<string> {
  if (typeof conversationId !== 'string' || conversationId.length === 0 || conversationId.length > 64) throw invalid('conversationId is a conversation id.');
  let members: { userId: string }[];
  try {
    members = await ctx.conversations.members(conversationId);
  } catch {
    throw new PaymentError('conversation_unavailable', 'The payments bot is not in that conversation: add it to post payment requests there.');
  }
  const missing = userIds.filter((id) => !members.some((m) => m.userId === id));
  if (missing.length > 0) throw new PaymentError('conversation_unavailable', `Both sides of the request must be members of the conversation; ${missing.join(', ')} is not.`);
  return conversationId;
}

export function checkLines(value: unknown, amount: number): RequestLine[] | null {
  if (value === undefined || value === null) return null;
  if (!Array.isArray(value) || value.length > MAX_LINES) throw invalid(`lines is an array of at most ${MAX_LINES} lines.`);
  if (value.length === 0) return null;
  let sum = 0;
  const lines = value.map((line: unknown, n): RequestLine => {
    if (line === null || typeof line !== 'object' || Array.isArray(line)) throw invalid(`lines[${n}] is an object.`);
    const { itemId, name, qty, unitMinor, lineMinor } = line as Record<string, unknown>;
    if (itemId !== undefined && (typeof itemId !== 'string' || itemId.length > 64)) throw invalid(`lines[${n}].itemId is a string of at most 64 characters.`);
    if (typeof name !== 'string' || name.length < 1 || name.length > 100) throw invalid(`lines[${n}].name is a string of 1 to 100 characters.`);
    if (typeof qty !== 'number' || !Number.isSafeInteger(qty) || qty < 1) throw invalid(`lines[${n}].qty is a positive whole number.`);
    if (typeof unitMinor !== 'number' || !Number.isSafeInteger(unitMinor) || unitMinor < 0) throw invalid(`lines[${n}].unitMinor is a whole number of minor units.`);
    if (typeof lineMinor !== 'number' || !Number.isSafeInteger(lineMinor) || lineMinor !== qty * unitMinor) throw invalid(`lines[${n}].lineMinor must be qty × unitMinor (${qty} × ${unitMinor}).`);
    sum += lineMinor;
    return { ...(itemId !== undefined ? { itemId } : {}), name, qty, unitMinor, lineMinor };
  });
  if (sum !== amount) throw invalid(`The lines sum to ${sum}, not to amountMinor ${amount}.`);
  return lines;
}

// ---- reading --------------------------------------------------------------------

export async function loadRequest(ctx: PluginContext<PaymentsSettings>, id: string): Promise<RequestRow | null> {
  if (typeof id !== 'string' || id.length === 0 || id.length > 36) return null;
  return ctx.database.table<RequestRow>('requests').where({ id }).first();
}

/** A request the user takes part in (as payer or payee); anyone else gets not_found. */
export async function visibleRequest(ctx: PluginContext<PaymentsSettings>, id: string, userId: string): Promise<RequestRow> {
  const row = await loadRequest(ctx, id);
  if (!row || (row.payer_id !== userId && row.payee_id !== userId)) throw new PaymentError('not_found', `No payment request ${id}.`);
  return expireIfDue(ctx, row);
}

export async function listRequests(ctx: PluginContext<PaymentsSettings>, userId: string): Promise<{ incoming: RequestView[]; outgoing: RequestView[] }> {
  const table = () => ctx.database.table<RequestRow>('requests');
  const incoming = await table().where({ payer_id: userId }).orderBy('created_at', 'desc').limit(100).all();
  const outgoing = await table().where({ payee_id: userId }).orderBy('created_at', 'desc').limit(100).all();
  return { incoming: incoming.map(viewOf), outgoing: outgoing.map(viewOf) };
}

// ---- creating -------------------------------------------------------------------

interface NewRequest {
  kind: RequestKind; payerId: string; payeeId: string; pluginId: string | null; conversationId: string;
  amount: number; currency: string; description: string | null; lines: RequestLine[] | null;
}

/** Records the request once per (owner, key), then posts its message (again, should a crash have lost it). */
async function create(ctx: PluginContext<PaymentsSettings>, owner: string, key: string, request: NewRequest): Promise<{ row: RequestRow; replayed: boolean }> {
  const id = await ctx.crypto.randomId();
  const { expireAfterSeconds } = requestsSettings(ctx);
  const { response, replayed } = await ctx.database.transaction((tx) => once(tx, ctx.crypto, owner, key, request, async () => {
    const now = Date.now();
    await tx.table('requests').insert({
      id, kind: request.kind, payer_id: request.payerId, payee_id: request.payeeId, plugin_id: request.pluginId,
      conversation_id: request.conversationId, amount: request.amount, currency: request.currency, description: request.description,
      lines: request.lines as never, status: 'open', reason: null, message_id: null, pay_key: null, tx_id: null,
      expires_at: now + expireAfterSeconds * 1000, created_at: now, updated_at: now, paid_at: null,
    });
    return { requestId: id };
  }));
  let row = (await loadRequest(ctx, response.requestId))!;
  if (row.message_id === null) row = await postMessage(ctx, row);
  return { row, replayed };
}

/** POST /requests: the requester (a person) asks `from` for money in a conversation both are in. */
export async function createUserRequest(ctx: PluginContext<PaymentsSettings>, requesterId: string, body: Record<string, unknown>): Promise<{ view: RequestView; replayed: boolean }> {
  const key = checkKey(body.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, body.currency);
  const amount = checkAmount(body.amountMinor);
  checkPerTransfer(ctx, amount);
  if (body.note !== undefined && body.note !== null && (typeof body.note !== 'string' || body.note.length > 200)) throw invalid('note is at most 200 characters.');
  const payer = await findPayer(ctx, body.from, 'from');
  if (payer.id === requesterId) throw new PaymentError('self_transfer', 'You cannot request money from yourself.');
  const conversationId = await checkMembers(ctx, body.conversationId, [requesterId, payer.id]);
  const { row, replayed } = await create(ctx, `request:${requesterId}`, key, {
    kind: 'user', payerId: payer.id, payeeId: requesterId, pluginId: null, conversationId, amount, currency,
    description: typeof body.note === 'string' ? body.note : null, lines: null,
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
  if (!bot || bot.kind !== 'bot') throw new PaymentError('invalid_state', `The calling plugin ${pluginId} has no bot user to be paid.`);
  return bot;
}

/** The service payments.request: an invoice from `pluginId` (named by the host, never by the input). */
export async function createInvoice(ctx: PluginContext<PaymentsSettings>, pluginId: string, input: unknown): Promise<{ requestId: string; status: RequestStatus }> {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw invalid('The input is an object.');
  const i = input as Record<string, unknown>;
  const key = checkKey(i.idempotencyKey);
  const currency = checkCurrency(ctx.settings.currencies, i.currency);
  const amount = checkAmount(i.amountMinor);
  checkPerTransfer(ctx, amount);
  if (typeof i.description !== 'string' || i.description.length < 1 || i.description.length > 500) throw invalid('description is a string of 1 to 500 characters.');
  const lines = checkLines(i.lines, amount);
  const payer = await findPayer(ctx, i.payerId, 'payerId');
  const payee = await pluginBot(ctx, pluginId);
  if (i.payee !== undefined && i.payee !== null && i.payee !== payee.id && i.payee !== `@${pluginId}`) {
    throw invalid(`Invoices are paid to the calling plugin's bot (@${pluginId}); payee may only name it.`);
  }
  if (payer.id === payee.id) throw new PaymentError('self_transfer', 'A plugin cannot invoice its own bot.');
  const conversationId = await checkMembers(ctx, i.conversationId, [payer.id]);
  const { row } = await create(ctx, `request:plugin:${pluginId}`, key, {
    kind: 'invoice', payerId: payer.id, payeeId: payee.id, pluginId, conversationId, amount, currency, description: i.description, lines,
  });
  return { requestId: row.id, status: row.status };
}

// ---- the message ----------------------------------------------------------------

async function postMessage(ctx: PluginContext<PaymentsSettings>, row: RequestRow): Promise<RequestRow> {
  try {
    const message = await ctx.messages.send(row.conversation_id, { type: MESSAGE_TYPE, body: messageBodyOf(row) as never }, { clientMsgId: `request-${row.id}` });
    await ctx.database.table('requests').where({ id: row.id }).whereNull('message_id').update({ message_id: message.id });
  } catch (err) {
    ctx.log.warn('could not post the payment request message', { requestId: row.id, error: String((err as Error).message) });
    return row;
  }
  const fresh = (await loadRequest(ctx, row.id))!;
  // Paid or declined while the message was on its way: show that.
  if (fresh.status !== row.status) await syncMessage(ctx, fresh);
  return fresh;
}

/** Edits the request's message to show its current state (best effort, logged on failure). */
export async function syncMessage(ctx: PluginContext<PaymentsSettings>, row: RequestRow): Promise<void> {
  if (row.message_id === null) return;
  await ctx.messages.edit(row.conversation_id, row.message_id, { type: MESSAGE_TYPE, body: messageBodyOf(row) as never })
    .catch((err: unknown) => ctx.log.warn('could not update the payment request message', { requestId: row.id, error: String((err as Error).message) }));
}

// ---- state changes ----------------------------------------------------------------

export const RESULT_JOB = 'request-result';

/**
 * After a request reached a new state: its message shows it, and for an invoice that is done
 * (paid, declined, expired, failed) the requester's `<plugin>.paymentResult` is called by a
 * scheduler job (retried on failure; see request-service.ts).
 */
async function changed(ctx: PluginContext<PaymentsSettings>, row: RequestRow): Promise<void> {
  await syncMessage(ctx, row);
  if (row.kind !== 'invoice' || !TERMINAL_STATUSES.includes(row.status)) return;
  await ctx.scheduler.schedule(RESULT_JOB, { payload: { requestId: row.id }, key: `result:${row.id}` })
    .catch((err: unknown) => ctx.log.warn('could not schedule the payment result', { requestId: row.id, error: String((err as Error).message) }));
}

function notOpen(row: RequestRow): PaymentError {
  if (row.status === 'expired') return new PaymentError('request_expired', undefined, { requestId: row.id, status: row.status });
  return new PaymentError('request_not_open', `The request is ${row.status}.`, { requestId: row.id, status: row.status, reason: row.reason });
}

async function lockRow(tx: DatabaseTransaction, id: string): Promise<RequestRow> {
  const [row] = await tx.table<RequestRow>('requests').where({ id }).forUpdate().all();
  if (!row) throw new PaymentError('not_found', `No payment request ${id}.`);
  return row;
}

async function setState(tx: DatabaseTransaction, row: RequestRow, patch: Partial<RequestRow>): Promise<RequestRow> {
  const columns = { ...patch, updated_at: Date.now() };
  await tx.table('requests').where({ id: row.id }).update(columns as never);
  return { ...row, ...columns };
}

/** An open request past its expiry becomes expired (on any read or action, and by the sweeper). */
export async function expireIfDue(ctx: PluginContext<PaymentsSettings>, row: RequestRow): Promise<RequestRow> {
  if (row.status !== 'open' || row.expires_at > Date.now()) return row;
  const result = await ctx.database.transaction(async (tx) => {
    const current = await lockRow(tx, row.id);
    if (current.status !== 'open' || current.expires_at > Date.now()) return { row: current, changed: false };
    return { row: await setState(tx, current, { status: 'expired', reason: 'expired: nobody paid in time' }), changed: true };
  });
  if (result.changed) await changed(ctx, result.row);
  return result.row;
}

/** A request stuck in processing (the host stopped during its pre-checkout) fails; nothing was charged. */
export async function failStale(ctx: PluginContext<PaymentsSettings>, row: RequestRow, olderThan: number): Promise<void> {
  const result = await ctx.database.transaction(async (tx) => {
    const current = await lockRow(tx, row.id);
    if (current.status !== 'processing' || current.updated_at > olderThan) return null;
    return setState(tx, current, { status: 'failed', reason: 'interrupted: the payment did not finish; nothing was charged' });
  });
  if (result) await changed(ctx, result);
}

/** POST /requests/:id/decline, by the payer only. Declining twice answers the same. */
export async function declineRequest(ctx: PluginContext<PaymentsSettings>, userId: string, id: string): Promise<RequestView> {
  const row = await visibleRequest(ctx, id, userId);
  if (row.payer_id !== userId) throw new PaymentError('not_payer', 'Only the payer can decline a request.');
  const result = await ctx.database.transaction(async (tx) => {
    const current = await lockRow(tx, id);
    if (current.status === 'declined') return { row: current, changed: false };
    if (current.status !== 'open') throw notOpen(current);
    return { row: await setState(tx, current, { status: 'declined', reason: 'declined by the payer' }), changed: true };
  });
  if (result.changed) await changed(ctx, result.row);
  return viewOf(result.row);
}

/** Adds the amount to the payer's daily total, refusing it past the limit (inside the charging transaction). */
async function countDaily(tx: DatabaseTransaction, ctx: PluginContext<PaymentsSettings>, payerId: string, currency: string, amount: number): Promise<void> {
  const { dailyMinor } = ctx.settings.limits;
  const today = day(Date.now());
  await tx.table('daily_usage').insert({ user_id: payerId, day: today, currency, amount: 0 }, { onConflictIgnore: ['user_id', 'day', 'currency'] });
  const [usage] = await tx.table<{ amount: number; [c: string]: unknown }>('daily_usage').where({ user_id: payerId, day: today, currency }).forUpdate().all();
  if (usage!.amount + amount > dailyMinor) {
    throw new PaymentError('limit_exceeded', `Payments of ${currency} may total at most ${dailyMinor} minor units a day; ${usage!.amount} are used.`, { limitMinor: dailyMinor, usedMinor: usage!.amount });
  }
  await tx.table('daily_usage').where({ user_id: payerId, day: today, currency }).increment('amount', amount);
}

/** Whether the payer could pay now (balance and daily limit), checked before asking the requester. */
async function precheckFunds(tx: DatabaseTransaction, ctx: PluginContext<PaymentsSettings>, row: RequestRow): Promise<void> {
  checkPerTransfer(ctx, row.amount);
  const balance = await balanceOf(tx, userAccount(row.payer_id, row.currency));
  if (balance < row.amount) throw new PaymentError('insufficient_funds', `The balance of ${balance} does not cover ${row.amount}.`, { balanceMinor: balance, currency: row.currency });
  const usage = await tx.table<{ amount: number; [c: string]: unknown }>('daily_usage').where({ user_id: row.payer_id, day: day(Date.now()), currency: row.currency }).first();
  const { dailyMinor } = ctx.settings.limits;
  if ((usage?.amount ?? 0) + row.amount > dailyMinor) {
    throw new PaymentError('limit_exceeded', `Payments of ${row.currency} may total at most ${dailyMinor} minor units a day; ${usage?.amount ?? 0} are used.`, { limitMinor: dailyMinor, usedMinor: usage?.amount ?? 0 });
  }
}

/** Moves the money and marks the request paid, in the caller's transaction (the row is locked). */
async function charge(tx: DatabaseTransaction, ctx: PluginContext<PaymentsSettings>, row: RequestRow, key: string): Promise<RequestRow> {
  checkPerTransfer(ctx, row.amount);
  await countDaily(tx, ctx, row.payer_id, row.currency, row.amount);
  const posted = await postTransaction(tx, ctx.crypto, {
    kind: 'request', ref: row.id, meta: { requestKind: row.kind, plugin: row.plugin_id },
    postings: [
      { account: userAccount(row.payer_id, row.currency), currency: row.currency, amount: -row.amount },
      { account: userAccount(row.payee_id, row.currency), currency: row.currency, amount: row.amount },
    ],
  });
  return setState(tx, row, { status: 'paid', reason: null, pay_key: key, tx_id: posted.txId, paid_at: posted.createdAt });
}

/** What the payer's confirmation led to. */
export interface PayOutcome { status: 200 | 202; view: RequestView }

/** The answer to a confirmation that was already handled under the same key. */
function replayed(row: RequestRow): PayOutcome {
  if (row.status === 'paid') return { status: 200, view: viewOf(row) };
  if (row.status === 'processing') return { status: 202, view: viewOf(row) };
  throw failedError(row);
}

function failedError(row: RequestRow): PaymentError {
  if (row.status !== 'failed' || !row.reason?.startsWith('precheckout_')) return notOpen(row);
  return new PaymentError('precheckout_failed', `The requester did not confirm the payment, so nothing was charged (${row.reason}).`, { requestId: row.id, status: row.status, reason: row.reason });
}

/** The requester's answer to the pre-checkout (payments-side view; see request-service.ts). */
export type PreCheckoutVerdict = { ok: true } | { ok: false; reason: string };

/**
 * POST /requests/:id/pay, by the payer with their PIN and an idempotency key. A person's request
 * is paid in one transaction. An invoice is claimed (open → processing), then the requester's
 * pre-checkout decides, then it is charged (processing → paid) or failed; the same key replays
 * the outcome, another key finds the request no longer open.
 */
export async function payRequest(
  ctx: PluginContext<PaymentsSettings>, userId: string, id: string, body: Record<string, unknown>,
  preCheckout: (row: RequestRow) => Promise<PreCheckoutVerdict>,
): Promise<PayOutcome> {
  let row = await visibleRequest(ctx, id, userId);
  if (row.payer_id !== userId) throw new PaymentError('not_payer', 'Only the payer can pay a request.');
  const key = checkKey(body.idempotencyKey);
  if (row.pay_key === key) return replayed(row);
  if (row.status !== 'open') throw notOpen(row);
  await verifyPin(ctx, userId, body.pin);

  type Step = { kind: 'replay' | 'expired' | 'claimed' | 'paid'; row: RequestRow };
  const step = await ctx.database.transaction(async (tx): Promise<Step> => {
    const current = await lockRow(tx, id);
    if (current.pay_key === key) return { kind: 'replay', row: current };
    if (current.status !== 'open') throw notOpen(current);
    if (current.expires_at <= Date.now()) return { kind: 'expired', row: await setState(tx, current, { status: 'expired', reason: 'expired: nobody paid in time' }) };
    if (current.kind === 'user') return { kind: 'paid', row: await charge(tx, ctx, current, key) };
    await precheckFunds(tx, ctx, current);
    return { kind: 'claimed', row: await setState(tx, current, { status: 'processing', pay_key: key }) };
  });
  if (step.kind === 'replay') return replayed(step.row);
  if (step.kind === 'expired') {
    await changed(ctx, step.row);
    throw notOpen(step.row);
  }
  if (step.kind === 'paid') {
    await changed(ctx, step.row);
    return { status: 200, view: viewOf(step.row) };
  }

  // An invoice: ask the requester, outside any transaction, then settle.
  row = step.row;
  const verdict = await preCheckout(row);
  let failure: { reason: string; error: PaymentError | null } | null = verdict.ok ? null : { reason: verdict.reason, error: null };
  let settled: RequestRow | null = null;
  if (verdict.ok) {
    try {
      settled = await ctx.database.transaction(async (tx) => {
        const current = await lockRow(tx, id);
        // Only the confirmation that claimed it may charge it (a sweeper may have failed it meanwhile).
        if (current.status !== 'processing' || current.pay_key !== key) return null;
        return charge(tx, ctx, current, key);
      });
    } catch (err) {
      if (!(err instanceof PaymentError)) throw err; // left processing: the sweeper fails it, nothing was charged
      failure = { reason: `${err.code}: ${err.message}`.slice(0, 200), error: err };
    }
  }
  if (!settled) {
    settled = await ctx.database.transaction(async (tx) => {
      const current = await lockRow(tx, id);
      if (current.status !== 'processing' || current.pay_key !== key) return current;
      return setState(tx, current, { status: 'failed', reason: (failure?.reason ?? 'failed').slice(0, 200) });
    });
  }
  await changed(ctx, settled);
  if (settled.status === 'paid') return { status: 200, view: viewOf(settled) };
  if (failure?.error && settled.status === 'failed') {
    throw new PaymentError(failure.error.code, failure.error.message, { ...failure.error.details, requestId: id, status: 'failed', reason: settled.reason });
  }
  throw failedError(settled);
}
