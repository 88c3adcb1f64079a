/**
 * The rows a batch of transfers locks before it checks anything (the payers' daily usage, every
 * wallet it touches), made first where missing, and the chunked inserts it writes with: every
 * batch locks in the same order, so two batches sharing a wallet queue instead of deadlocking.
 */
import type { DatabaseTransaction } from '../../../sdk/index.js';
import type { WalletRow } from '../ledger/post-transaction.js';
import type { UsageRow } from '../limits.js';

const ROWS_PER_INSERT = 400;

export const usageKey = (userId: string, currency: string) => `${userId}|${currency}`;

/** The payers' usage of `today`, locked, by usageKey (rows missing are made with 0 first). */
export async function lockDailyUsage(
  tx: DatabaseTransaction,
  today: string,
  payments: readonly { payerId: string; currency: string }[],
): Promise<Map<string, number>> {
  const usageRows = [
    ...new Map(
      payments.map((t) => [
        usageKey(t.payerId, t.currency),
        { user_id: t.payerId, day: today, currency: t.currency, amount: 0 },
      ]),
    ).values(),
  ];
  const usage = new Map<string, number>();
  if (usageRows.length === 0) return usage;
  const lockUsage = async (rows: typeof usageRows) => {
    for (const row of await tx
      .table<UsageRow>('daily_usage')
      .where({ day: today })
      .whereIn('user_id', [...new Set(rows.map((r) => r.user_id))])
      .orderBy('user_id')
      .orderBy('currency')
      .forUpdate()
      .all()) {
      usage.set(usageKey(row.user_id, row.currency), row.amount);
    }
  };
  await lockUsage(usageRows);
  const missing = usageRows.filter((r) => !usage.has(usageKey(r.user_id, r.currency)));
  if (missing.length > 0) {
    await insertChunked(tx, 'daily_usage', missing, ['user_id', 'day', 'currency']);
    await lockUsage(missing);
  }
  return usage;
}

/** These wallets, locked in account order (wallets missing are made empty first), by account. */
export async function lockWallets(
  tx: DatabaseTransaction,
  accountsTouched: readonly string[],
): Promise<Map<string, WalletRow>> {
  const accounts = [...new Set(accountsTouched)].sort();
  const wallets = new Map<string, WalletRow>();
  if (accounts.length === 0) return wallets;
  const lock = async () => {
    for (const w of await tx
      .table<WalletRow>('wallets')
      .whereIn('account', accounts)
      .orderBy('account')
      .forUpdate()
      .all())
      wallets.set(w.account, { ...w });
  };
  await lock();
  const missing = accounts.filter((a) => !wallets.has(a));
  if (missing.length > 0) {
    await insertChunked(
      tx,
      'wallets',
      missing.map((account) => ({
        account,
        currency: account.slice(account.lastIndexOf(':') + 1),
        balance: 0,
        postings: 0,
        head_hash: '',
        may_go_negative: false,
      })),
      ['account'],
    );
    await lock();
  }
  return wallets;
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
