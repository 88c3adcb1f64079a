import type { CryptoCapability, DatabaseTransaction, GroupCommitOutcome } from '../../../sdk/index.js';
import { userAccount } from '../ledger/accounts.js';
import { MAX_BALANCE_MINOR } from '../currencies.js';
import { idempotencyConflict } from '../idempotency.js';
import { dailyLimitRefusal, day } from '../limits.js';
import { insufficientFunds, postingHashInput, type WalletRow } from '../ledger/post-transaction.js';
import { PaymentError } from '../payment-error.js';
import type { PaymentsSettings } from '../settings.js';
import type { TransferResult } from './list-transfers.js';
import { judgeBatchPins } from './batch-pins.js';
import { type KnownRows, lockBatchRows, usageKey } from './batch-rows.js';
import { claimKeys, giveBackKeys, keyId, settleKeys, type StoredKey } from './batch-keys.js';

/** A transfer that passed every check that needs no lock (amount, per-transfer limit, recipient). */
export interface PreparedTransfer {
  transferId: string;
  payerId: string;
  payeeId: string;
  amount: number;
  currency: string;
  conversationId: string | null;
  note: string | null;
  key: string;
  requestHash: string;
  /** The HMAC of the PIN given (null: not a PIN at all), judged inside the batch. */
  pinAttempt: string | null;
}

/** A transfer done now, or earlier under the same idempotency key (`replayed`). */
export interface TransferDone {
  result: TransferResult;
  replayed: boolean;
}
export type TransferOutcome = GroupCommitOutcome<TransferDone>;

const byAccount = (a: { account: string }, b: { account: string }) =>
  a.account < b.account ? -1 : a.account > b.account ? 1 : 0;

/** A transfer's two postings, in account order. */
const legsOf = (t: PreparedTransfer) =>
  [
    { account: userAccount(t.payerId, t.currency), amount: -t.amount },
    { account: userAccount(t.payeeId, t.currency), amount: t.amount },
  ].sort(byAccount);

/**
 * Applies a batch of transfers in order inside one transaction of about six statements,
 * whatever its size, and returns each one's outcome. Each transfer is still checked on its own,
 * in arrival order, against the locked rows: its PIN, its idempotency key, the daily limit, the
 * payer's balance. One that fails gets its own error and takes nothing else down.
 */
export async function applyTransferBatch(
  tx: DatabaseTransaction,
  crypto: CryptoCapability,
  settings: PaymentsSettings,
  transfers: PreparedTransfer[],
  known: KnownRows,
): Promise<TransferOutcome[]> {
  const outcomes: (TransferOutcome | null)[] = transfers.map(() => null);
  const now = Date.now();
  const today = day(now);

  (await judgeBatchPins(tx, settings.pin, now, transfers)).forEach((error, i) => {
    if (error) outcomes[i] = { ok: false, error };
  });

  // Idempotency: each key is claimed before anything is locked or moved (see batch-keys.ts); a
  // key stored by an earlier batch is not claimed, and answers with its stored result. A key
  // repeated within this batch follows its first use (same request: the same result; different:
  // a conflict).
  const answerStored = (i: number, earlier: StoredKey) => {
    outcomes[i] =
      earlier.request_hash === transfers[i]!.requestHash
        ? { ok: true, value: { result: earlier.response, replayed: true } }
        : { ok: false, error: idempotencyConflict(transfers[i]!.key) };
  };
  const leaders = new Map<string, number>();
  transfers.forEach((t, i) => {
    const id = keyId(t.payerId, t.key);
    if (outcomes[i] === null && !leaders.has(id)) leaders.set(id, i);
  });
  const firstUses = [...leaders.values()].map((i) => ({ t: transfers[i]!, i }));
  // Each first use's ledger transaction goes with the claims, before any lock: the rows locked
  // below are held only for the checks and one round trip of writes. A transfer that does not go
  // through (refused, or its key stored meanwhile) has its row deleted there.
  const {
    claimed,
    storedMeanwhile: stored,
    alongside: txRows,
  } = await claimKeys(
    tx,
    firstUses.map(({ t }) => ({ owner: t.payerId, key: t.key, requestHash: t.requestHash })),
    now,
    {
      table: 'transactions',
      rows: firstUses.map(({ t }) => ({
        kind: 'transfer',
        ref: t.transferId,
        meta: { note: t.note },
        created_at: now,
      })),
    },
  );
  for (const { t, i } of firstUses) {
    const id = keyId(t.payerId, t.key);
    if (claimed.has(id)) continue;
    const earlier = stored.get(id);
    // Claimed and given back by another batch in the same instant: this batch goes again, alone.
    if (!earlier) throw new Error(`The idempotency key ${t.key} could not be claimed.`);
    answerStored(i, earlier);
  }
  const live = firstUses.filter(({ i }) => outcomes[i] === null);
  const txIds = new Map(txRows.map((r) => [r.ref as string, r.id as number]));

  // Daily usage and the wallets of everyone in the batch, locked for it in one round trip.
  const { usage, wallets } = await lockBatchRows(
    tx,
    known,
    today,
    live.map(({ t }) => t),
    live.flatMap(({ t }) => legsOf(t).map((leg) => leg.account)),
  );
  const usageBefore = new Map(usage);

  const keysDone: { owner: string; key: string; response: TransferResult }[] = [];
  // Each transfer in arrival order, against the running balances.
  const accepted: { t: PreparedTransfer; i: number }[] = [];
  const balance = (account: string) => wallets.get(account)!.balance;
  for (const { t, i } of live) {
    const used = usage.get(usageKey(t.payerId, t.currency)) ?? 0;
    const from = userAccount(t.payerId, t.currency);
    const to = userAccount(t.payeeId, t.currency);
    const overLimit = dailyLimitRefusal(settings.limits, t.currency, used, t.amount);
    if (overLimit) {
      outcomes[i] = { ok: false, error: overLimit };
    } else if (balance(from) < t.amount) {
      outcomes[i] = { ok: false, error: insufficientFunds(balance(from), t.amount, t.currency) };
    } else if (balance(to) + t.amount > MAX_BALANCE_MINOR) {
      outcomes[i] = {
        ok: false,
        error: new PaymentError('balance_overflow', `The payee's balance would pass ${MAX_BALANCE_MINOR}.`, {
          maxBalanceMinor: MAX_BALANCE_MINOR,
          currency: t.currency,
        }),
      };
    } else {
      usage.set(usageKey(t.payerId, t.currency), used + t.amount);
      wallets.get(from)!.balance -= t.amount;
      wallets.get(to)!.balance += t.amount;
      accepted.push({ t, i });
    }
  }
  // Undo the running balances: the postings below apply them again, each with its hash.
  for (const { t } of accepted) {
    wallets.get(userAccount(t.payerId, t.currency))!.balance += t.amount;
    wallets.get(userAccount(t.payeeId, t.currency))!.balance -= t.amount;
  }
  const postings: Record<string, unknown>[] = [];
  const transferRows: Record<string, unknown>[] = [];
  for (const { t, i } of accepted) {
    const txId = txIds.get(t.transferId)!;
    for (const leg of legsOf(t)) {
      const wallet = wallets.get(leg.account)!;
      const row = {
        tx_id: txId,
        kind: 'transfer',
        account: leg.account,
        currency: t.currency,
        amount: leg.amount,
        balance_after: wallet.balance + leg.amount,
        seq: wallet.postings + 1,
        prev_hash: wallet.head_hash,
        created_at: now,
      };
      const hash = await crypto.sha256(postingHashInput(row));
      const { kind: _kind, ...rest } = row;
      postings.push({ ...rest, hash });
      wallet.balance = row.balance_after;
      wallet.postings = row.seq;
      wallet.head_hash = hash;
    }
    const result: TransferResult = {
      transferId: t.transferId,
      status: 'completed',
      from: t.payerId,
      to: t.payeeId,
      amountMinor: t.amount,
      currency: t.currency,
      conversationId: t.conversationId,
      note: t.note,
      txId,
      createdAt: new Date(now).toISOString(),
      balanceAfterMinor: wallets.get(userAccount(t.payerId, t.currency))!.balance,
    };
    transferRows.push({
      id: t.transferId,
      from_user: t.payerId,
      to_user: t.payeeId,
      amount: t.amount,
      currency: t.currency,
      conversation_id: t.conversationId,
      note: t.note,
      tx_id: txId,
      created_at: now,
    });
    keysDone.push({ owner: t.payerId, key: t.key, response: result });
    outcomes[i] = { ok: true, value: { result, replayed: false } };
  }
  const refused = live.filter(({ i }) => !outcomes[i]!.ok);
  const unwritten = firstUses.filter(({ i }) => !outcomes[i]!.ok || outcomes[i]!.value.replayed);
  // A refused transfer stores no key, so that it may be tried again with it (as in `once`).
  await giveBackKeys(
    tx,
    refused.map(({ t }) => ({ owner: t.payerId, key: t.key })),
  );
  const changed = [...new Set(accepted.flatMap(({ t }) => legsOf(t).map((leg) => leg.account)))];
  const usageChanged = [...usage].filter(([k, v]) => usageBefore.get(k) !== v);
  // Every write that needs the locks, in one round trip: the locks are held no longer than that.
  await tx.writeTogether((group) => {
    if (postings.length > 0) group.table('postings').insert(postings);
    if (changed.length > 0)
      group.table<WalletRow>('wallets').updateEach(
        'account',
        changed.map((account) => {
          const w = wallets.get(account)!;
          return { account, balance: w.balance, postings: w.postings, head_hash: w.head_hash };
        }),
      );
    if (transferRows.length > 0) group.table('transfers').insert(transferRows);
    if (usageChanged.length > 0)
      group.table('daily_usage').updateEach(
        ['user_id', 'day', 'currency'],
        usageChanged.map(([k, amount]) => {
          const [user_id, currency] = k.split('|') as [string, string];
          return { user_id, day: today, currency, amount };
        }),
      );
    if (keysDone.length > 0) settleKeys(group, keysDone);
    if (unwritten.length > 0)
      group
        .table('transactions')
        .whereIn(
          'ref',
          unwritten.map(({ t }) => t.transferId),
        )
        .delete();
  });

  // Repeats of a key within the batch share its first use's outcome.
  transfers.forEach((t, i) => {
    const leaderAt = leaders.get(keyId(t.payerId, t.key));
    if (outcomes[i] !== null || leaderAt === undefined) return;
    const earlier = stored.get(keyId(t.payerId, t.key));
    if (earlier) return answerStored(i, earlier);
    const first = outcomes[leaderAt]!;
    const leader = transfers[leaderAt]!;
    if (leader.requestHash !== t.requestHash) outcomes[i] = { ok: false, error: idempotencyConflict(t.key) };
    else outcomes[i] = first.ok ? { ok: true, value: { result: first.value.result, replayed: true } } : first;
  });
  return outcomes as TransferOutcome[];
}
