import { errorCodeOf, PluginError, SwitchboardError } from '../../../sdk/index.js';
import type { BusinessApp } from '../business-app.js';
import { BusinessError } from '../business-error.js';
import { emitEvent } from '../events.js';
import { checkWindowTag, messagingWindow, outsideWindow } from '../outgoing/messaging-window.js';
import type { ThreadRow } from '../inbox/threads.js';
import { userOrNull } from '../known-user.js';

interface InvoiceRow {
  request_id: string;
  business_id: string;
  thread_id: string;
  amount: number;
  currency: string;
  status: string;
  created_at: number;
  [c: string]: unknown;
}

const PAYMENTS_BOT = 'payments';

/**
 * A business's backend bills its customer in the conversation, through the payments plugin's
 * `payments.request` service: payments posts the invoice there and the customer pays it with
 * their PIN. The money goes to this plugin's bot; each invoice is recorded against its business,
 * and how it ended comes back through `business.paymentResult` as an `invoice` event.
 */
export async function sendInvoice(app: BusinessApp, thread: ThreadRow, body: Record<string, unknown>) {
  const { ctx } = app;
  if (typeof body.idempotencyKey !== 'string' || body.idempotencyKey.length === 0 || body.idempotencyKey.length > 64) {
    throw new BusinessError(
      'invalid_business_request',
      'idempotencyKey (1 to 64 characters) is required: a retry with the same key returns the same invoice.',
    );
  }
  // An invoice is a business message like any other: past the window it needs a transactional tag.
  checkWindowTag(body.tag);
  if (body.tag === undefined) {
    const window = await messagingWindow(app, thread);
    if (!window.open) throw outsideWindow(window.lastCustomerAt);
  }
  // The payments plugin's bot user exists while payments is installed; without it there is no one to bill through.
  const payments = await userOrNull(ctx.users.byHandle(PAYMENTS_BOT));
  if (!payments) throw new BusinessError('payments_unavailable');
  // The payments bot posts the invoice, so it must be in the conversation (adding a member again changes nothing).
  await ctx.conversations.addMembers(thread.conversation_id, [payments.id]);
  let created: { requestId: string; status: string };
  try {
    created = await ctx.services.call<{ requestId: string; status: string }>('payments.request', {
      payerId: thread.customer_id,
      conversationId: thread.conversation_id,
      amountMinor: body.amountMinor,
      currency: body.currency,
      description: body.description,
      lines: body.lines,
      idempotencyKey: `${thread.business_id}:${body.idempotencyKey}`,
    });
  } catch (err) {
    const code = errorCodeOf(err);
    if (code === 'unavailable' || code === 'permission_denied') throw new BusinessError('payments_unavailable');
    // payments refused the invoice (a PaymentError, as the host passes it on): its code goes along.
    if (err instanceof PluginError && err.status < 500)
      throw new BusinessError('invalid_business_request', err.message, { paymentsCode: err.code });
    if (err instanceof SwitchboardError && err.kind === 'user')
      throw new BusinessError('invalid_business_request', err.message);
    throw err;
  }
  await ctx.database.table<InvoiceRow>('invoices').insert(
    {
      request_id: created.requestId,
      business_id: thread.business_id,
      thread_id: thread.id,
      amount: Number(body.amountMinor),
      currency: String(body.currency),
      status: created.status,
      created_at: Date.now(),
    },
    { onConflictIgnore: ['request_id'] },
  );
  return { requestId: created.requestId, status: created.status, threadId: thread.id };
}

/** payments asks before charging: only invoices this plugin recorded go through. */
export async function preCheckout(app: BusinessApp, input: unknown): Promise<{ ok: boolean; reason?: string }> {
  const requestId = (input as { requestId?: unknown } | null)?.requestId;
  const row =
    typeof requestId === 'string'
      ? await app.ctx.database.table<InvoiceRow>('invoices').where({ request_id: requestId }).first()
      : null;
  return row ? { ok: true } : { ok: false, reason: 'unknown invoice' };
}

export async function paymentResult(app: BusinessApp, input: unknown): Promise<{ ok: true }> {
  const { requestId, status } = (input ?? {}) as { requestId?: unknown; status?: unknown };
  const row =
    typeof requestId === 'string'
      ? await app.ctx.database.table<InvoiceRow>('invoices').where({ request_id: requestId }).first()
      : null;
  if (!row || typeof status !== 'string') return { ok: true };
  // payments may tell the same result twice (it retries); the event goes out once.
  if (
    (await app.ctx.database
      .table<InvoiceRow>('invoices')
      .where({ request_id: row.request_id, status: row.status })
      .update({ status })) > 0 &&
    row.status !== status
  ) {
    await emitEvent(app, row.business_id, 'invoice', {
      threadId: row.thread_id,
      requestId: row.request_id,
      status,
      amountMinor: row.amount,
      currency: row.currency,
    });
  }
  return { ok: true };
}
