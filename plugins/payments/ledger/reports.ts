import type { PluginContext } from '../../../sdk/index.js';
import type { WalletRow } from './post-transaction.js';
import type { PaymentsSettings } from '../settings.js';
import type { OperationRow } from '../funding/operations.js';
import type { CardProvider } from '../providers/card-provider.js';

export async function userBalances(
  ctx: PluginContext<PaymentsSettings>,
  userId: string,
): Promise<{ currency: string; balanceMinor: number }[]> {
  const wallets = await ctx.database
    .table<WalletRow>('wallets')
    .where('account', 'like', `user:${userId}:%`)
    .orderBy('currency')
    .all();
  return wallets.map((w) => ({ currency: w.currency, balanceMinor: w.balance }));
}

/** Per currency: what people hold, what is on hold, and what came in from (or went out to) providers; the total is always 0. */
export async function balancesReport(ctx: PluginContext<PaymentsSettings>) {
  const wallets = await ctx.database.table<WalletRow>('wallets').all();
  const out: Record<string, { users: number; holds: number; providers: number; total: number; wallets: number }> = {};
  for (const w of wallets) {
    const c = (out[w.currency] ??= { users: 0, holds: 0, providers: 0, total: 0, wallets: 0 });
    const group = w.account.startsWith('user:') ? 'users' : w.account.startsWith('hold:') ? 'holds' : 'providers';
    c[group] += w.balance;
    c.total += w.balance;
    c.wallets++;
  }
  return { currencies: out };
}

/** Count and sum of each kind of transaction per currency since `since` (ms). */
export async function volumeReport(ctx: PluginContext<PaymentsSettings>, since: number) {
  const transfers = await ctx.database
    .table('transfers')
    .where('created_at', '>=', since)
    .groupBy('currency')
    .aggregate({ count: true, sum: ['amount'] });
  const operations = await ctx.database
    .table('provider_operations')
    .where('created_at', '>=', since)
    .groupBy('kind', 'status', 'currency')
    .aggregate({ count: true, sum: ['amount'] });
  return { since: new Date(since).toISOString(), transfers, providerOperations: operations };
}

/**
 * The ledger against the provider, operation by operation (the latest 1,000): they agree when a
 * booked operation succeeded at the provider, and a declined or abandoned one did not.
 * Pending operations are listed apart; reconcile settles them.
 */
export async function reconciliationReport(ctx: PluginContext<PaymentsSettings>, provider: CardProvider) {
  const ops = await ctx.database
    .table<OperationRow>('provider_operations')
    .orderBy('created_at', 'desc')
    .limit(1000)
    .all();
  const mismatches: { operationId: string; ledger: string; provider: string | null }[] = [];
  const pending: string[] = [];
  let agreed = 0;
  for (const op of ops) {
    const record = await provider.lookup(op.id);
    if (op.status === 'pending') {
      pending.push(op.id);
      continue;
    }
    const providerSucceeded = record?.status === 'succeeded';
    const ledgerSucceeded = op.status === 'succeeded';
    const amountsMatch = !providerSucceeded || record.amountMinor === op.amount;
    if (providerSucceeded === ledgerSucceeded && amountsMatch) agreed++;
    else mismatches.push({ operationId: op.id, ledger: op.status, provider: record?.status ?? null });
  }
  return { operations: ops.length, agreed, pending, mismatches };
}
