import { errorCodeOf, withDeadline, type PluginContext } from '../../../sdk/index.js';
import type { PreCheckoutVerdict } from './pay-request.js';
import {
  requestsSettings,
  RESULT_JOB,
  STALE_PROCESSING_MS,
  TERMINAL_STATUSES,
  type RequestRow,
} from './request-records.js';
import { createInvoice } from './create-request.js';
import { expireIfDue, failStale } from './read-requests.js';
import type { PaymentsSettings } from '../settings.js';

/**
 * Payment requests and invoices, wired into the plugin: the service `payments.request` other
 * plugins call, the requester's callbacks (`<plugin>.preCheckout` before charging,
 * `<plugin>.paymentResult` after), and the sweeper that expires old requests. The HTTP routes
 * people use are in api/request-routes.ts.
 */

const SWEEP_JOB = 'expire-requests';
const SWEEP_EVERY_MS = 60_000;
const SWEEP_BATCH = 200;

export async function registerRequestService(ctx: PluginContext<PaymentsSettings>): Promise<void> {
  // The caller is whoever the host says it is; the input never names it. A refusal reaches the
  // caller with the PaymentError's code, status and details (the host's plugin call boundary).
  ctx.services.provide('request', (input, caller) => createInvoice(ctx, caller.pluginId, input));

  ctx.scheduler.handle(RESULT_JOB, async (job) => {
    const requestId = (job.payload as { requestId?: unknown } | null)?.requestId;
    if (typeof requestId === 'string') await deliverResult(ctx, requestId);
  });
  ctx.scheduler.handle(SWEEP_JOB, () => sweep(ctx));
  await ctx.scheduler.every(SWEEP_JOB, SWEEP_EVERY_MS, { key: SWEEP_JOB });
}

/**
 * Asks the invoicing plugin to confirm, within settings.requests.preCheckoutTimeoutMs. Only
 * `{ ok: true }` lets the payment go on; a refusal (`{ ok: false, reason? }` or anything else),
 * an error (the service missing, not in payments' services.call scope, throwing) or no answer in
 * time fails the request, and the reason says which ("precheckout_refused: …",
 * "precheckout_error: <code>", "precheckout_timeout: …").
 */
export async function preCheckout(ctx: PluginContext<PaymentsSettings>, row: RequestRow): Promise<PreCheckoutVerdict> {
  const ms = requestsSettings(ctx).preCheckoutTimeoutMs;
  const service = `${row.plugin_id}.preCheckout`;
  const input = {
    requestId: row.id,
    payerId: row.payer_id,
    amountMinor: row.amount,
    currency: row.currency,
    lines: row.lines ?? [],
  };
  const outcome = await withDeadline(() => ctx.services.call(service, input), ms);
  if ('timedOut' in outcome) {
    ctx.log.warn('pre-checkout timed out', { requestId: row.id, service, timeoutMs: ms });
    return { ok: false, reason: `precheckout_timeout: ${service} did not answer within ${ms} ms` };
  }
  if ('error' in outcome) {
    const code = errorCodeOf(outcome.error) ?? 'error';
    ctx.log.warn('pre-checkout failed', {
      requestId: row.id,
      service,
      code,
      error: String((outcome.error as Error)?.message ?? outcome.error),
    });
    return { ok: false, reason: `precheckout_error: ${code}`.slice(0, 200) };
  }
  const answer = outcome.value as { ok?: unknown; reason?: unknown } | null;
  if (answer !== null && typeof answer === 'object' && answer.ok === true) return { ok: true };
  const why =
    answer !== null && typeof answer === 'object' && typeof answer.reason === 'string' ? `: ${answer.reason}` : '';
  return { ok: false, reason: `precheckout_refused${why}`.slice(0, 200) };
}

/**
 * Tells the invoicing plugin how its request ended: `<plugin>.paymentResult` with
 * `{ requestId, status, reason? }`. Runs as a scheduler job, so a failure is retried (with
 * backoff, up to 5 attempts) and logged; a requester may thus see the same result twice.
 */
export async function deliverResult(ctx: PluginContext<PaymentsSettings>, requestId: string): Promise<void> {
  const row = await ctx.database.table<RequestRow>('requests').where({ id: requestId }).first();
  if (!row || row.kind !== 'invoice' || row.plugin_id === null || !TERMINAL_STATUSES.includes(row.status)) return;
  const service = `${row.plugin_id}.paymentResult`;
  const input = { requestId: row.id, status: row.status, ...(row.reason !== null ? { reason: row.reason } : {}) };
  const outcome = await withDeadline(
    () => ctx.services.call(service, input),
    requestsSettings(ctx).preCheckoutTimeoutMs,
  );
  if ('value' in outcome) return;
  const code = 'timedOut' in outcome ? 'timeout' : (errorCodeOf(outcome.error) ?? 'error');
  ctx.log.warn('could not deliver the payment result', { requestId, service, status: row.status, code });
  // Not allowed by the operator (or not in the manifest's scope): retrying cannot help.
  if (code === 'permission_denied') return;
  throw new Error(`${service} failed (${code}) for request ${requestId}; the scheduler retries it.`);
}

/** Expires open requests past their time and fails invoices a stopped host left in processing. */
export async function sweep(ctx: PluginContext<PaymentsSettings>): Promise<void> {
  const now = Date.now();
  const due = await ctx.database
    .table<RequestRow>('requests')
    .where({ status: 'open' })
    .where('expires_at', '<=', now)
    .orderBy('expires_at')
    .limit(SWEEP_BATCH)
    .all();
  for (const row of due) await expireIfDue(ctx, row);
  const before = now - requestsSettings(ctx).preCheckoutTimeoutMs - STALE_PROCESSING_MS;
  const stale = await ctx.database
    .table<RequestRow>('requests')
    .where({ status: 'processing' })
    .where('updated_at', '<=', before)
    .limit(SWEEP_BATCH)
    .all();
  for (const row of stale) await failStale(ctx, row, before);
  if (due.length + stale.length > 0)
    ctx.log.info('swept payment requests', { expired: due.length, interrupted: stale.length });
}
