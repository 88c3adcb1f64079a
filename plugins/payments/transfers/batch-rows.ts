/**
 * The rows a batch of transfers locks before it checks anything (the payers' daily usage, every
 * wallet it touches), made first where missing, and the chunked inserts it writes with.
 */
import type { DatabaseTransaction } from '../../../sdk/index.js';
import type { WalletRow } from '../ledger/post-transaction.js';
import type { UsageRow } from '../limits.js';

const ROWS_PER_INSERT = 400;

export const usageKey = (userId: string, currency: string) => `${userId}|${currency}`;

/** Rows a host has made or seen already (daily usage by day, wallets), so a batch need not make them again. */
export class KnownRows {
  private readonly seen = new Set<string>();
  private day = '';

  /** Those of `keys` not seen yet on `day`; a new day forgets every row (the set stays bounded). */
  unseen(day: string, keys: readonly string[]): string[] {
    if (day !== this.day || this.seen.size > 200_000) {
      this.seen.clear();
      this.day = day;
    }
    return keys.filter((k) => !this.seen.has(k));
  }

  saw(keys: readonly string[]): void {
    for (const k of keys) this.seen.add(k);
  }
}

const usageRow = (userId: string, today: string, currency: string) => ({
  user_id: userId,
  day: today,
  currency,
  amount: 0,
});
const walletRow = (account: string) => ({
  account,
  currency: account.slice(account.lastIndexOf(':') + 1),
  balance: 0,
  postings: 0,
  head_hash: '',
  may_go_negative: false,
});

/**
 * The payers' usage of `today` (by usageKey) and every wallet the batch touches (by account),
 * locked in one round trip: usage rows first, then wallets in account order, as every batch
 * locks, so two batches sharing a wallet queue instead of deadlocking. Rows this host has not
 * seen are made first, before any lock (an insert that finds the row does nothing); a row still
 * missing then (made by a batch that rolled back) is made and locked after the others: another
 * batch may deadlock with that one, which the database breaks, and its transfers go one by one.
 */
export async function lockBatchRows(
  tx: DatabaseTransaction,
  known: KnownRows,
  today: string,
  payments: readonly { payerId: string; currency: string }[],
  accountsTouched: readonly string[],
): Promise<{ usage: Map<string, number>; wallets: Map<string, WalletRow> }> {
  const payers = [...new Map(payments.map((t) => [usageKey(t.payerId, t.currency), t])).values()];
  const accounts = [...new Set(accountsTouched)].sort();
  const usage = new Map<string, number>();
  const wallets = new Map<string, WalletRow>();
  if (payers.length === 0) return { usage, wallets };

  const newUsage = known.unseen(
    today,
    payers.map((t) => `u|${usageKey(t.payerId, t.currency)}`),
  );
  const newWallets = known.unseen(
    today,
    accounts.map((a) => `w|${a}`),
  );
  if (newUsage.length > 0)
    await insertChunked(
      tx,
      'daily_usage',
      newUsage.map((k) => {
        const [, userId, currency] = k.split('|') as [string, string, string];
        return usageRow(userId, today, currency);
      }),
      ['user_id', 'day', 'currency'],
    );
  if (newWallets.length > 0)
    await insertChunked(
      tx,
      'wallets',
      newWallets.map((k) => walletRow(k.slice(2))),
      ['account'],
    );
  known.saw([...newUsage, ...newWallets]);

  const usageOf = (userIds: readonly string[]) =>
    tx
      .table<UsageRow>('daily_usage')
      .where({ day: today })
      .whereIn('user_id', [...new Set(userIds)])
      .orderBy('user_id')
      .orderBy('currency')
      .forUpdate();
  const walletsOf = (list: readonly string[]) =>
    tx.table<WalletRow>('wallets').whereIn('account', list).orderBy('account').forUpdate();
  const take = ([u, w]: readonly [UsageRow[], WalletRow[]]) => {
    for (const row of u) usage.set(usageKey(row.user_id, row.currency), row.amount);
    for (const row of w) wallets.set(row.account, { ...row });
  };
  take(await tx.readTogether([usageOf(payers.map((t) => t.payerId)), walletsOf(accounts)]));

  const usageMissing = payers.filter((t) => !usage.has(usageKey(t.payerId, t.currency)));
  const walletsMissing = accounts.filter((a) => !wallets.has(a));
  if (usageMissing.length === 0 && walletsMissing.length === 0) return { usage, wallets };
  await insertChunked(
    tx,
    'daily_usage',
    usageMissing.map((t) => usageRow(t.payerId, today, t.currency)),
    ['user_id', 'day', 'currency'],
  );
  await insertChunked(tx, 'wallets', walletsMissing.map(walletRow), ['account']);
  // Only what was missing: a read of nothing still costs a round trip.
  const usageAgain = () => usageOf(usageMissing.map((t) => t.payerId));
  if (usageMissing.length === 0) take([[], await walletsOf(walletsMissing).all()]);
  else if (walletsMissing.length === 0) take([await usageAgain().all(), []]);
  else take(await tx.readTogether([usageAgain(), walletsOf(walletsMissing)]));
  return { usage, wallets };
}

/** Inserts `rows` in statements of at most ROWS_PER_INSERT rows each. */
export async function insertChunked(
  tx: DatabaseTransaction,
  table: string,
  rows: Record<string, unknown>[],
  onConflictIgnore?: string[],
): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    out.push(
      ...(await tx
        .table(table)
        .insert(rows.slice(i, i + ROWS_PER_INSERT), onConflictIgnore ? { onConflictIgnore } : {})),
    );
  }
  return out;
}
