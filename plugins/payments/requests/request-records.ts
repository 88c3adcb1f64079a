/**
 * What every part of payment requests shares: the row and how it is shown, the settings, and
 * the steps of every state change (lock the row, write the new state, then show it in the
 * message and tell an invoicing plugin).
 */
import type { DatabaseTransaction, PluginContext } from '../../../sdk/index.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';

export type RequestKind = 'user' | 'invoice';
export type RequestStatus = 'open' | 'processing' | 'paid' | 'declined' | 'canceled' | 'expired' | 'failed';
export const TERMINAL_STATUSES: readonly RequestStatus[] = ['paid', 'declined', 'canceled', 'expired', 'failed'];

export interface RequestLine {
  itemId?: string;
  name: string;
  qty: number;
  unitMinor: number;
  lineMinor: number;
}

export interface RequestRow {
  id: string;
  kind: RequestKind;
  payer_id: string;
  payee_id: string;
  plugin_id: string | null;
  conversation_id: string;
  amount: number;
  currency: string;
  description: string | null;
  lines: RequestLine[] | null;
  status: RequestStatus;
  reason: string | null;
  message_id: string | null;
  pay_key: string | null;
  tx_id: number | null;
  expires_at: number;
  created_at: number;
  updated_at: number;
  paid_at: number | null;
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

export function requestsSettings(ctx: PluginContext<PaymentsSettings>): RequestsSettings {
  const given = (ctx.settings as unknown as { requests?: Partial<RequestsSettings> }).requests ?? {};
  return { ...DEFAULTS, ...given };
}

const iso = (ms: number) => new Date(ms).toISOString();

export const viewOf = (r: RequestRow): RequestView => ({
  requestId: r.id,
  kind: r.kind,
  status: r.status,
  payerId: r.payer_id,
  payeeId: r.payee_id,
  pluginId: r.plugin_id,
  conversationId: r.conversation_id,
  amountMinor: r.amount,
  currency: r.currency,
  description: r.description,
  lines: r.lines,
  reason: r.reason,
  messageId: r.message_id,
  txId: r.tx_id,
  expiresAt: iso(r.expires_at),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  paidAt: r.paid_at === null ? null : iso(r.paid_at),
});

export const messageBodyOf = (r: RequestRow): RequestMessageBody => ({
  requestId: r.id,
  kind: r.kind,
  payerId: r.payer_id,
  payeeId: r.payee_id,
  pluginId: r.plugin_id,
  amountMinor: r.amount,
  currency: r.currency,
  description: r.description,
  lines: r.lines,
  status: r.status,
  reason: r.reason,
  expiresAt: iso(r.expires_at),
});

/** Edits the request's message to show its current state (best effort, logged on failure). */
export async function syncMessage(ctx: PluginContext<PaymentsSettings>, row: RequestRow): Promise<void> {
  if (row.message_id === null) return;
  await ctx.messages
    .edit(row.conversation_id, row.message_id, { type: MESSAGE_TYPE, body: messageBodyOf(row) as never })
    .catch((err: unknown) =>
      ctx.log.warn('could not update the payment request message', {
        requestId: row.id,
        error: String((err as Error).message),
      }),
    );
}

// ---- state changes ----------------------------------------------------------------

export const RESULT_JOB = 'request-result';

/**
 * After a request reached a new state: its message shows it, and for an invoice that is done
 * (paid, declined, expired, failed) the requester's `<plugin>.paymentResult` is called by a
 * scheduler job (retried on failure; see request-service.ts).
 */
export async function changed(ctx: PluginContext<PaymentsSettings>, row: RequestRow): Promise<void> {
  await syncMessage(ctx, row);
  if (row.kind !== 'invoice' || !TERMINAL_STATUSES.includes(row.status)) return;
  await ctx.scheduler
    .schedule(RESULT_JOB, { payload: { requestId: row.id }, key: `result:${row.id}` })
    .catch((err: unknown) =>
      ctx.log.warn('could not schedule the payment result', {
        requestId: row.id,
        error: String((err as Error).message),
      }),
    );
}

export function notOpen(row: RequestRow): PaymentError {
  if (row.status === 'expired')
    return new PaymentError('request_expired', undefined, { requestId: row.id, status: row.status });
  return new PaymentError('request_not_open', `The request is ${row.status}.`, {
    requestId: row.id,
    status: row.status,
    reason: row.reason,
  });
}

export async function lockRow(tx: DatabaseTransaction, id: string): Promise<RequestRow> {
  const [row] = await tx.table<RequestRow>('requests').where({ id }).forUpdate().all();
  if (!row) throw new PaymentError('not_found', `No payment request ${id}.`);
  return row;
}

export async function setState(
  tx: DatabaseTransaction,
  row: RequestRow,
  patch: Partial<RequestRow>,
): Promise<RequestRow> {
  const columns = { ...patch, updated_at: Date.now() };
  await tx.table('requests').where({ id: row.id }).update(columns);
  return { ...row, ...columns };
}
