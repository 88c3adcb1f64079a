import type { PluginContext } from '../../../sdk/index.js';
import type { PaymentsSettings } from '../settings.js';

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

/** A row of the `transfers` table: one person-to-person transfer. */
export interface TransferRow {
  id: string;
  from_user: string;
  to_user: string;
  amount: number;
  currency: string;
  conversation_id: string | null;
  note: string | null;
  tx_id: number;
  created_at: number;
  [c: string]: unknown;
}

/** GET /transfers: the latest 100 sent and received, each in the shape POST /transfers answers. */
export async function listTransfers(
  ctx: PluginContext<PaymentsSettings>,
  userId: string,
): Promise<{ sent: TransferResult[]; received: TransferResult[] }> {
  const latest = (column: 'from_user' | 'to_user') =>
    ctx.database
      .table<TransferRow>('transfers')
      .where({ [column]: userId })
      .orderBy('created_at', 'desc')
      .orderBy('tx_id', 'desc')
      .limit(100)
      .all();
  const [sent, received] = [await latest('from_user'), await latest('to_user')];
  const txIds = [...new Set([...sent, ...received].map((t) => t.tx_id))];
  const after = new Map<string, number>();
  if (txIds.length > 0) {
    const postings = await ctx.database
      .table<{ tx_id: number; account: string; balance_after: number; [c: string]: unknown }>('postings')
      .whereIn('tx_id', txIds)
      .columns('tx_id', 'account', 'balance_after')
      .all();
    for (const p of postings) after.set(`${p.tx_id}|${p.account}`, p.balance_after);
  }
  const view = (t: TransferRow): TransferResult => ({
    transferId: t.id,
    status: 'completed',
    from: t.from_user,
    to: t.to_user,
    amountMinor: t.amount,
    currency: t.currency,
    conversationId: t.conversation_id,
    note: t.note,
    txId: t.tx_id,
    createdAt: new Date(t.created_at).toISOString(),
    balanceAfterMinor: after.get(`${t.tx_id}|user:${userId}:${t.currency}`) ?? 0,
  });
  return { sent: sent.map(view), received: received.map(view) };
}
