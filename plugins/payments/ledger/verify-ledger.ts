import type { PluginContext } from '../../../sdk/index.js';
import { postingHashInput, type WalletRow } from './post-transaction.js';
import type { PaymentsSettings } from '../settings.js';

interface PostingRow {
  id: number;
  tx_id: number;
  account: string;
  currency: string;
  amount: number;
  balance_after: number;
  seq: number;
  prev_hash: string;
  hash: string;
  created_at: number;
  [c: string]: unknown;
}

export interface VerifyReport {
  ok: boolean;
  accounts: number;
  transactions: number;
  postings: number;
  problems: string[];
}

const PAGE = 1000;

/**
 * Checks the whole ledger: every account's postings form an unbroken hash chain whose head is
 * the wallet's head_hash, each posting's balance_after is the running sum, each wallet's cached
 * balance equals the sum of its postings, no person's balance is negative, and every
 * transaction has postings that sum to zero in each currency. Any edit, insertion or removal of a
 * posting breaks one of these.
 */
export async function verifyLedger(ctx: PluginContext<PaymentsSettings>): Promise<VerifyReport> {
  const problems: string[] = [];
  const wallets = await ctx.database.table<WalletRow>('wallets').orderBy('account').all();
  const kinds = new Map<number, string>();
  const txSums = new Map<number, Map<string, number>>();
  let transactions = 0;
  for (let after = 0; ;) {
    const page = await ctx.database
      .table<{ id: number; kind: string }>('transactions')
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .columns('id', 'kind')
      .all();
    for (const t of page) kinds.set(t.id, t.kind);
    transactions += page.length;
    if (page.length < PAGE) break;
    after = page[page.length - 1]!.id;
  }
  let postings = 0;
  for (const wallet of wallets) {
    let prev = '';
    let balance = 0;
    let seq = 0;
    for (let afterSeq = 0; ;) {
      const page = await ctx.database
        .table<PostingRow>('postings')
        .where({ account: wallet.account })
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(PAGE)
        .all();
      for (const p of page) {
        postings++;
        seq++;
        if (p.seq !== seq)
          problems.push(`${wallet.account}: posting ${p.id} has seq ${p.seq}, expected ${seq} (a posting is missing)`);
        if (p.prev_hash !== prev)
          problems.push(`${wallet.account}: posting ${p.id} does not follow the one before it (chain broken)`);
        const kind = kinds.get(p.tx_id);
        if (kind === undefined) problems.push(`${wallet.account}: posting ${p.id} belongs to no transaction`);
        const hash = await ctx.crypto.sha256(postingHashInput({ ...p, kind: kind ?? '' }));
        if (hash !== p.hash) problems.push(`${wallet.account}: posting ${p.id} was altered (hash mismatch)`);
        balance += p.amount;
        if (p.balance_after !== balance)
          problems.push(
            `${wallet.account}: posting ${p.id} says balance ${p.balance_after}, the postings sum to ${balance}`,
          );
        if (p.currency !== wallet.currency) problems.push(`${wallet.account}: posting ${p.id} is in ${p.currency}`);
        const sums = txSums.get(p.tx_id) ?? new Map<string, number>();
        sums.set(p.currency, (sums.get(p.currency) ?? 0) + p.amount);
        txSums.set(p.tx_id, sums);
        prev = p.hash;
      }
      if (page.length < PAGE) break;
      afterSeq = page[page.length - 1]!.seq;
    }
    if (prev !== wallet.head_hash)
      problems.push(
        `${wallet.account}: the chain ends at a different posting than the wallet records (a posting was removed or added)`,
      );
    if (seq !== wallet.postings)
      problems.push(`${wallet.account}: ${seq} postings, the wallet records ${wallet.postings}`);
    if (balance !== wallet.balance)
      problems.push(`${wallet.account}: cached balance ${wallet.balance}, postings sum to ${balance}`);
    if (balance < 0 && !wallet.may_go_negative) problems.push(`${wallet.account}: negative balance ${balance}`);
  }
  // A transaction row is written only with its postings (a refused transfer's is taken back).
  for (const txId of kinds.keys()) if (!txSums.has(txId)) problems.push(`transaction ${txId} has no postings`);
  for (const [txId, sums] of txSums) {
    for (const [currency, sum] of sums)
      if (sum !== 0) problems.push(`transaction ${txId}: ${currency} postings sum to ${sum}, not 0`);
  }
  const counted = await ctx.database.table('postings').count();
  if (counted !== postings) problems.push(`${counted - postings} postings belong to no wallet`);
  return {
    ok: problems.length === 0,
    accounts: wallets.length,
    transactions,
    postings,
    problems: problems.slice(0, 100),
  };
}
