import type { AppContext, ServiceCaller } from '../../sdk/index.js';
import { SwitchboardError } from '../../sdk/index.js';
import { findItem, type ShopSettings } from './catalog.js';

/**
 * The shop's side of an invoice, as the payments plugin calls it (both services are declared in
 * manifests/shop.json, and only the plugin with the id "payments" is listened to):
 *
 * - `shop.preCheckout` { requestId, payerId, amountMinor, currency, lines }: called after the
 *   payer confirmed with their PIN and before anything is charged. The shop confirms
 *   (`{ ok: true }`) only if every line is still sold at the price asked, in the currency asked,
 *   and the lines add up to the amount; otherwise it refuses with a reason, and nothing is charged.
 * - `shop.paymentResult` { requestId, status, reason? }: how the request ended (paid, declined,
 *   expired, failed). Kept under `payment/<requestId>`; /checkout of an empty cart shows it.
 */
export interface PreCheckoutInput {
  requestId: string;
  payerId: string;
  amountMinor: number;
  currency: string;
  lines: { itemId?: string; name: string; qty: number; unitMinor: number; lineMinor: number }[];
}
export interface PaymentResultInput {
  requestId: string;
  status: string;
  reason?: string;
}
export interface PaymentRecord {
  status: string;
  reason: string | null;
  at: string;
}

export const PAYMENTS_PLUGIN = 'payments';
export const paymentKey = (requestId: string) => `payment/${requestId}`;

function fromPayments(caller: ServiceCaller): void {
  if (caller.pluginId !== PAYMENTS_PLUGIN)
    throw new SwitchboardError('forbidden', 'Only the payments plugin reports payments to the shop.');
}

export function preCheckout(
  ctx: AppContext<ShopSettings>,
  input: unknown,
  caller: ServiceCaller,
): { ok: true } | { ok: false; reason: string } {
  fromPayments(caller);
  const { amountMinor, currency, lines } = (input ?? {}) as Partial<PreCheckoutInput>;
  if (!Array.isArray(lines) || lines.length === 0) return { ok: false, reason: 'not a shop order' };
  let total = 0;
  for (const line of lines) {
    const item = typeof line?.itemId === 'string' ? findItem(ctx.settings.catalog, line.itemId) : undefined;
    if (!item) return { ok: false, reason: `${String(line?.name ?? line?.itemId)} is no longer sold` };
    if (item.currency !== currency || item.priceMinor !== line.unitMinor)
      return { ok: false, reason: `the price of ${item.name} changed` };
    total += item.priceMinor * line.qty;
  }
  if (total !== amountMinor) return { ok: false, reason: 'the total does not match the order' };
  return { ok: true };
}

export async function paymentResult(
  ctx: AppContext<ShopSettings>,
  input: unknown,
  caller: ServiceCaller,
): Promise<{ received: true }> {
  fromPayments(caller);
  const { requestId, status, reason } = (input ?? {}) as Partial<PaymentResultInput>;
  if (typeof requestId !== 'string' || requestId.length === 0 || requestId.length > 200 || typeof status !== 'string') {
    throw new SwitchboardError('invalid_request', 'paymentResult needs { requestId, status }.');
  }
  const record: PaymentRecord = {
    status: status.slice(0, 50),
    reason: typeof reason === 'string' ? reason.slice(0, 200) : null,
    at: new Date().toISOString(),
  };
  await ctx.storage.set(paymentKey(requestId), record);
  ctx.log.info('payment result', { requestId, status: record.status });
  return { received: true };
}
