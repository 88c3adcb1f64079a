import type { PluginContext } from '../../../sdk/index.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';
import { type CaptureRow, type CaptureView, captureViewOf } from './capture-hold.js';
import { checkId, type HoldRow, type HoldView, holdViewOf } from './hold-records.js';
import { type RefundRow, type RefundView, refundViewOf } from './refunds.js';

export interface HoldDetails extends HoldView {
  captures: CaptureView[];
  refunds: RefundView[];
}

/** The hold with its captures and refunds, for its payer or payee (viewerId null: anyone, for the plugin itself). */
export async function getHold(
  ctx: PluginContext<PaymentsSettings>,
  holdId: string,
  viewerId: string | null,
): Promise<HoldDetails> {
  const id = checkId(holdId, 'hold');
  const hold = await ctx.database.table<HoldRow>('holds').where({ id }).first();
  if (!hold || (viewerId !== null && viewerId !== hold.payer && viewerId !== hold.payee))
    throw new PaymentError('not_found', `No hold ${id}.`);
  const captures = await ctx.database.table<CaptureRow>('hold_captures').where({ hold_id: id }).orderBy('tx_id').all();
  const refunds = await ctx.database
    .table<RefundRow>('refunds')
    .where({ source_kind: 'hold', source_id: id })
    .orderBy('tx_id')
    .all();
  return { ...holdViewOf(hold), captures: captures.map(captureViewOf), refunds: refunds.map(refundViewOf) };
}
