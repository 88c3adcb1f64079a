import type { CryptoCapability, DatabaseTransaction, GroupCommitOutcome } from '../../sdk/index.js';
import { userAccount } from './accounts.js';
import { MAX_BALANCE_MINOR } from './currencies.js';
import { day } from './limits.js';
import { postingHashInput, type WalletRow } from './ledger.js';
import { PaymentError } from './payment-error.js';
import type { PaymentsSettings } from './settings.js';
import type { TransferResult } from './transfers.js';
import { judgePin, type PinRow } from './pins.js';

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
export interface TransferDone { result: TransferResult; replayed: boolean }
export type TransferOutcome = GroupCommitOutcome<TransferDone>;

const ROWS_PER_INSERT = 400;
const byAccount = (a: { account: string }, b: { account: string }) => (a.account < b.account ? -1 : a.account > b.account ? 1 : 0);

/**
 * Applies a batch of transfers in order inside one transaction of about a dozen statements,
 * whatever its size, and returns each one's outcome. Each transfer is still checked on its own,
 * in arrival order, against the locked rows: its PIN, its idempotency key, the daily limit, the
 * payer's balance. One that fails gets its own error and takes nothing else down.
 */
export async function applyTransferBatch(tx: DatabaseTransaction, crypto: CryptoCapability, settings: PaymentsSettings, transfers: PreparedTransfer[]): Promise<TransferOutcome[]> {
  const outcomes: (TransferOutcome | null)[] = transfers.map(() => null);
  const now = Date.now();
  const today = day(now);

  // PINs, in arrival order. A right PIN with nothing to reset costs no more than this one read
  // for the whole batch; a wrong one (or a reset) is judged again under the row's lock and
  // recorded, so concurrent wrong attempts are each counted.
  const pins = new Map((await tx.table<PinRow>('pins').whereIn('user_id', [...new Set(transfers.map((t) => t.payerId))]).all()).map((r) => [r.user_id, r]));
  for (let i = 0; i < transfers.length; i++) {
    const t = transfers[i]!;
    const row = pins.get(t.payerId);
    const quick = judgePin(row, t.pinAttempt, now, settings.pin);
    if (!row || (quick.error === null && row.failures === 0) || quick.error?.code === 'invalid_payment_request' || (quick.error?.code === 'pin_locked' && row.locked_until !== null && row.locked_until > now)) {
      if (quick.error) outcomes[i] = { ok: false, error: quick.error };
      continue;
    }
    const [locked] = await tx.table<PinRow>('pins').where({ user_id: t.payerId }).forUpdate().all();
    const verdict = judgePin(locked, t.pinAttempt, now, settings.pin);
    if (locked && (verdict.failures !== locked.failures || verdict.lockedUntil !== locked.locked_until)) {
      await tx.table<PinRow>('pins').where({ user_id: t.payerId }).update({ failures: verdict.failures, locked_until: verdict.lockedUntil });
    }
    if (locked) pins.set(t.payerId, { ...locked, failures: verdict.failures, locked_until: verdict.lockedUntil });
    if (verdict.error) outcomes[i] = { ok: false, error: verdict.error };
  }

  // Idempotency: keys stored by earlier batches answer at once; a key repeated within this batch
  // follows its first use (same request: the same result; different: a conflict).
  const owners = [...new Set(transfers.map((t) => t.payerId))];
  const stored = new Map<string, { request_hash: string; response: TransferResult }>();
  for (const row of await tx.table<{ owner: string; key: string; request_hash: string; response: TransferResult }>('idempotency')
    .whereIn('owner', owners).whereIn('key', [...new Set(transfers.map((t) => t.key))]).all()) stored.set(`${row.owner}|${row.key}`, row);
  const leaders = new Map<string, number>();
  transfers.forEach((t, i) => {
    if (outcomes[i] !== null) return;
    const id = `${t.payerId}|${t.key}`;
    const earlier = stored.get(id);
    if (earlier) {
      outcomes[i] = earlier.request_hash === t.requestHash
        ? { ok: true, value: { result: earlier.response, replayed: true } }
        : { ok: false, error: new PaymentError('idempotency_conflict', `The idempotency key "${t.key}" was used for a different request.`) };
    } else if (!leaders.has(id)) {
      leaders.set(id, i);
    }
  });
  const live = transfers.map((t, i) => ({ t, i })).filter(({ t, i }) => outcomes[i] === null && leaders.get(`${t.payerId}|${t.key}`) === i);

  // Daily limits, on rows locked for this batch.
  const usageKey = (userId: string, currency: string) => `${userId}|${currency}`;
  const usageRows = [...new Map(live.map(({ t }) => [usageKey(t.payerId, t.currency), { user_id: t.payerId, day: today, currency: t.currency, amount: 0 }])).values()];
  const usage = new Map<string, number>();
  const usageBefore = new Map<string, number>();
  if (usageRows.length > 0) {
    const lockUsage = async (rows: typeof usageRows) => {
      for (const row of await tx.table<{ user_id: string; day: string; currency: string; amount: number }>('daily_usage')
        .where({ day: today }).whereIn('user_id', [...new Set(rows.map((r) => r.user_id))]).orderBy('user_id').orderBy('currency').forUpdate().all()) {
        usage.set(usageKey(row.user_id, row.currency), row.amount);
        usageBefore.set(usageKey(row.user_id, row.currency), row.amount);
      }
    };
    await lockUsage(usageRows);
    const missing = usageRows.filter((r) => !usage.has(usageKey(r.user_id, r.currency)));
    if (missing.length > 0) {
      await insertChunked(tx, 'daily_usage', missing, ['user_id', 'day', 'currency']);
      await lockUsage(missing);
    }
  }

  // Wallets of everyone in the batch, locked in account order.
  const accounts = [...new Set(live.flatMap(({ t }) => [userAccount(t.payerId, t.currency), userAccount(t.payeeId, t.currency)]))].sort();
  const wallets = new Map<string, WalletRow>();
  if (accounts.length > 0) {
    const lock = async () => {
      for (const w of await tx.table<WalletRow>('wallets').whereIn('account', accounts).orderBy('account').forUpdate().all()) wallets.set(w.account, { ...w });
    };
    await lock();
    const missing = accounts.filter((a) => !wallets.has(a));
    if (missing.length > 0) {
      await insertChunked(tx, 'wallets', missing.map((account) => ({
        account, currency: account.slice(account.lastIndexOf(':') + 1), balance: 0, postings: 0, head_hash: '', may_go_negative: false,
      })), ['account']);
      await lock();
    }
  }

  // Each transfer in arrival order, against the running balances.
  const accepted: { t: PreparedTransfer; i: number }[] = [];
  const balance = (account: string) => wallets.get(account)!.balance;
  for (const { t, i } of live) {
    const used = usage.get(usageKey(t.payerId, t.currency)) ?? 0;
    const from = userAccount(t.payerId, t.currency);
    const to = userAccount(t.payeeId, t.currency);
    if (used + t.amount > settings.limits.dailyMinor) {
      outcomes[i] = { ok: false, error: new PaymentError('limit_exceeded', `Transfers of ${t.currency} may total at most ${settings.limits.dailyMinor} minor units a day; ${used} are used.`, { limitMinor: settings.limits.dailyMinor, usedMinor: used }) };
    } else if (balance(from) < t.amount) {
      outcomes[i] = { ok: false, error: new PaymentError('insufficient_funds', `The balance of ${balance(from)} does not cover ${t.amount}.`, { balanceMinor: balance(from), currency: t.currency }) };
    } else if (balance(to) + t.amount > MAX_BALANCE_MINOR) {
      outcomes[i] = { ok: false, error: new PaymentError('balance_overflow', `The payee's balance would pass ${MAX_BALANCE_MINOR}.`, { maxBalanceMinor: MAX_BALANCE_MINOR, currency: t.currency }) };
    } else {
      usage.set(usageKey(t.payerId, t.currency), used + t.amount);
      wallets.get(from)!.balance -= t.amount;
      wallets.get(to)!.balance += t.amount;
      accepted.push({ t, i });
    }
  }
  if (accepted.length > 0) {
    // Undo the running balances: the postings below apply them again, each with its hash.
    for (const { t } of accepted) {
      wallets.get(userAccount(t.payerId, t.currency))!.balance += t.amount;
      wallets.get(userAccount(t.payeeId, t.currency))!.balance -= t.amount;
    }
    const txRows = await insertChunked(tx, 'transactions', accepted.map(({ t }) => ({ kind: 'transfer', ref: t.transferId, meta: { note: t.note }, created_at: now })));
    const postings: Record<string, unknown>[] = [];
    const transferRows: Record<string, unknown>[] = [];
    const idempotencyRows: Record<string, unknown>[] = [];
    const txIds = new Map(txRows.map((r) => [r.ref as string, r.id as number]));
    for (const { t, i } of accepted) {
      const txId = txIds.get(t.transferId)!;
      const legs = [{ account: userAccount(t.payerId, t.currency), amount: -t.amount }, { account: userAccount(t.payeeId, t.currency), amount: t.amount }].sort(byAccount);
      for (const leg of legs) {
        const wallet = wallets.get(leg.account)!;
        const row = {
          tx_id: txId, kind: 'transfer', account: leg.account, currency: t.currency, amount: leg.amount, balance_after: wallet.balance + leg.amount,
          seq: wallet.postings + 1, prev_hash: wallet.head_hash, created_at: now,
        };
        const hash = await crypto.sha256(postingHashInput(row));
        const { kind: _kind, ...rest } = row;
        postings.push({ ...rest, hash });
        wallet.balance = row.balance_after;
        wallet.postings = row.seq;
        wallet.head_hash = hash;
      }
      const result: TransferResult = {
        transferId: t.transferId, status: 'completed', from: t.payerId, to: t.payeeId, amountMinor: t.amount, currency: t.currency,
        conversationId: t.conversationId, note: t.note, txId, createdAt: new Date(now).toISOString(), balanceAfterMinor: wallets.get(userAccount(t.payerId, t.currency))!.balance,
      };
      transferRows.push({ id: t.transferId, from_user: t.payerId, to_user: t.payeeId, amount: t.amount, currency: t.currency, conversation_id: t.conversationId, note: t.note, tx_id: txId, created_at: now });
      idempotencyRows.push({ owner: t.payerId, key: t.key, request_hash: t.requestHash, response: result, created_at: now });
      outcomes[i] = { ok: true, value: { result, replayed: false } };
    }
    await insertChunked(tx, 'postings', postings);
    const changed = [...new Set(accepted.flatMap(({ t }) => [userAccount(t.payerId, t.currency), userAccount(t.payeeId, t.currency)]))];
    await tx.table<WalletRow>('wallets').updateEach('account', changed.map((account) => {
      const w = wallets.get(account)!;
      return { account, balance: w.balance, postings: w.postings, head_hash: w.head_hash };
    }));
    await insertChunked(tx, 'transfers', transferRows);
    // A key another host stored meanwhile breaks this insert, and so the batch: its transfers are
    // then retried one by one, and the repeated one finds the stored result.
    await insertChunked(tx, 'idempotency', idempotencyRows);
    const usageChanged = [...usage].filter(([k, v]) => usageBefore.get(k) !== v);
    if (usageChanged.length > 0) {
      await tx.table('daily_usage').updateEach(['user_id', 'day', 'currency'], usageChanged.map(([k, amount]) => {
        const [user_id, currency] = k.split('|') as [string, string];
        return { user_id, day: today, currency, amount };
      }));
    }
  }

  // Repeats of a key within the batch share its first use's outcome.
  transfers.forEach((t, i) => {
    if (outcomes[i] !== null || !leaders.has(`${t.payerId}|${t.key}`)) return;
    const first = outcomes[leaders.get(`${t.payerId}|${t.key}`)!]!;
    const leader = transfers[leaders.get(`${t.payerId}|${t.key}`)!]!;
    if (leader.requestHash !== t.requestHash) outcomes[i] = { ok: false, error: new PaymentError('idempotency_conflict', `The idempotency key "${t.key}" was used for a different request.`) };
    else outcomes[i] = first.ok ? { ok: true, value: { result: first.value.result, replayed: true } } : first;
  });
  return outcomes as TransferOutcome[];
}

async function insertChunked(tx: DatabaseTransaction, table: string, rows: Record<string, unknown>[], onConflictIgnore?: string[]): Promise<Record<string, unknown>[]> {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
    out.push(...await tx.table(table).insert(rows.slice(i, i + ROWS_PER_INSERT), onConflictIgnore ? { onConflictIgnore } : {}));
  }
  return out;
}
