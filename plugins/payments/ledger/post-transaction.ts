import type { CryptoCapability, DatabaseTransaction } from '../../../sdk/index.js';
import { isUserAccount } from './accounts.js';
import { MAX_BALANCE_MINOR, MAX_MINOR } from '../currencies.js';
import { PaymentError } from '../payment-error.js';

export interface Posting {
  account: string;
  currency: string;
  amount: number;
}

export interface WalletRow {
  id: number;
  account: string;
  currency: string;
  balance: number;
  postings: number;
  head_hash: string;
  may_go_negative: boolean;
  [column: string]: unknown;
}

export interface PostedTransaction {
  txId: number;
  balances: Record<string, number>;
  createdAt: number;
}

/** The refusal of a debit the balance does not cover, wherever a payment checks it. */
export function insufficientFunds(balanceMinor: number, amount: number, currency: string): PaymentError {
  return new PaymentError('insufficient_funds', `The balance of ${balanceMinor} does not cover ${amount}.`, {
    balanceMinor,
    currency,
  });
}

/** The text a posting's hash covers; verify recomputes it the same way. */
export function postingHashInput(p: {
  prev_hash: string;
  tx_id: number;
  kind: string;
  account: string;
  currency: string;
  amount: number;
  balance_after: number;
  seq: number;
  created_at: number;
}): string {
  return [p.prev_hash, p.tx_id, p.kind, p.account, p.currency, p.amount, p.balance_after, p.seq, p.created_at].join(
    '|',
  );
}

/**
 * Appends one double-entry transaction inside the caller's database transaction: the postings
 * of each currency sum to zero, every wallet touched is locked (in account order, so concurrent
 * transactions never deadlock), no person's balance goes below zero or, by a credit, past
 * MAX_BALANCE_MINOR (`settle`: booking money the provider already moved, which is never refused
 * below MAX_MINOR), no balance past ±MAX_MINOR, and each posting extends its account's hash
 * chain. Wallet balances are a cache of the postings, kept in the same transaction.
 */
export async function postTransaction(
  tx: DatabaseTransaction,
  crypto: CryptoCapability,
  entry: { kind: string; ref: string; meta?: Record<string, unknown>; postings: Posting[]; settle?: boolean },
): Promise<PostedTransaction> {
  const sums = new Map<string, number>();
  for (const p of entry.postings) {
    if (!Number.isSafeInteger(p.amount) || p.amount === 0)
      throw new PaymentError('invalid_amount', `A posting of ${p.amount} is not a non-zero whole amount.`);
    sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amount);
  }
  for (const [currency, sum] of sums) {
    if (sum !== 0) throw new Error(`Unbalanced transaction: the ${currency} postings sum to ${sum}.`);
  }
  const accounts = [...new Set(entry.postings.map((p) => p.account))].sort();
  await tx.table('wallets').insert(
    accounts.map((account) => {
      const currency = entry.postings.find((p) => p.account === account)!.currency;
      return {
        account,
        currency,
        balance: 0,
        postings: 0,
        head_hash: '',
        may_go_negative: !isUserAccount(account) && account.startsWith('provider:'),
      };
    }),
    { onConflictIgnore: ['account'] },
  );
  const wallets = new Map(
    (await tx.table<WalletRow>('wallets').whereIn('account', accounts).orderBy('account').forUpdate().all()).map(
      (w) => [w.account, { ...w }],
    ),
  );

  const createdAt = Date.now();
  const [txRow] = await tx
    .table('transactions')
    .insert({ kind: entry.kind, ref: entry.ref, meta: entry.meta ?? null, created_at: createdAt });
  const txId = txRow!.id as number;
  const rows: Record<string, unknown>[] = [];
  for (const p of [...entry.postings].sort((a, b) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0))) {
    const wallet = wallets.get(p.account)!;
    if (wallet.currency !== p.currency)
      throw new PaymentError('currency_mismatch', `Account ${p.account} holds ${wallet.currency}, not ${p.currency}.`);
    const balance = wallet.balance + p.amount;
    if (balance < 0 && !wallet.may_go_negative) {
      throw insufficientFunds(wallet.balance, -p.amount, p.currency);
    }
    if (
      Math.abs(balance) > MAX_MINOR ||
      (p.amount > 0 && isUserAccount(p.account) && !entry.settle && balance > MAX_BALANCE_MINOR)
    ) {
      throw new PaymentError('balance_overflow', `The balance of ${p.account} would pass ${MAX_BALANCE_MINOR}.`, {
        maxBalanceMinor: MAX_BALANCE_MINOR,
        currency: p.currency,
      });
    }
    const row = {
      tx_id: txId,
      kind: entry.kind,
      account: p.account,
      currency: p.currency,
      amount: p.amount,
      balance_after: balance,
      seq: wallet.postings + 1,
      prev_hash: wallet.head_hash,
      created_at: createdAt,
    };
    const hash = await crypto.sha256(postingHashInput(row));
    const { kind: _kind, ...stored } = row;
    rows.push({ ...stored, hash });
    wallet.balance = balance;
    wallet.postings = row.seq;
    wallet.head_hash = hash;
  }
  await tx.table('postings').insert(rows);
  for (const account of accounts) {
    const w = wallets.get(account)!;
    await tx
      .table('wallets')
      .where({ account })
      .update({ balance: w.balance, postings: w.postings, head_hash: w.head_hash });
  }
  return { txId, balances: Object.fromEntries(accounts.map((a) => [a, wallets.get(a)!.balance])), createdAt };
}

export async function balanceOf(tx: { table: DatabaseTransaction['table'] }, account: string): Promise<number> {
  const wallet = await tx.table<WalletRow>('wallets').where({ account }).first();
  return wallet?.balance ?? 0;
}
