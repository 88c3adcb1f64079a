/**
 * The idempotency keys of a batch of transfers: those stored already, and the claim of the new
 * ones before any money moves. A claim is the key's row, inserted first (response filled in at
 * the end of the same transaction): a batch on another host that holds the same key uncommitted
 * makes the insert wait for it, and once it commits the key is found stored instead. Without the
 * claim, two hosts taking the same key at the same moment both moved the money up to the key's
 * insert, and the loser failed with a database conflict rather than answering the stored result.
 */
import type { DatabaseTransaction, Row, WriteGroup } from '../../../sdk/index.js';
import type { TransferResult } from './list-transfers.js';

export interface StoredKey {
  owner: string;
  key: string;
  request_hash: string;
  response: TransferResult;
  [column: string]: unknown;
}

export const keyId = (owner: string, key: string) => `${owner}|${key}`;

/** The stored keys among these payers' and keys, by keyId. */
export async function storedKeys(
  tx: DatabaseTransaction,
  owners: readonly string[],
  keys: readonly string[],
): Promise<Map<string, StoredKey>> {
  const stored = new Map<string, StoredKey>();
  if (owners.length === 0) return stored;
  for (const row of await tx
    .table<StoredKey>('idempotency')
    .whereIn('owner', [...new Set(owners)])
    .whereIn('key', [...new Set(keys)])
    .all())
    stored.set(keyId(row.owner, row.key), row);
  return stored;
}

/**
 * Claims each key (in keyId order, one statement, so two batches never wait on each other's keys
 * in opposite orders) and returns the ids of those claimed; a key not claimed was stored by
 * another batch meanwhile, and is in the returned map. The rows `alongside` (the batch's ledger
 * transactions) are inserted in the same round trip, and come back as stored.
 */
export async function claimKeys(
  tx: DatabaseTransaction,
  wanted: readonly { owner: string; key: string; requestHash: string }[],
  now: number,
  alongside: { table: string; rows: Row[] },
): Promise<{ claimed: Set<string>; storedMeanwhile: Map<string, StoredKey>; alongside: Row[] }> {
  const rows = [...wanted]
    .sort((a, b) => (keyId(a.owner, a.key) < keyId(b.owner, b.key) ? -1 : 1))
    .map((w) => ({ owner: w.owner, key: w.key, request_hash: w.requestHash, response: null, created_at: now }));
  const claimed = new Set<string>();
  if (rows.length === 0) return { claimed, storedMeanwhile: new Map(), alongside: [] };
  const [inserted, written] = await tx.writeTogether(
    (group) => {
      group.table('idempotency').insert(rows, { onConflictIgnore: ['owner', 'key'] });
      group.table(alongside.table).insert(alongside.rows);
    },
    { returnRows: true },
  );
  for (const row of inserted!) claimed.add(keyId(row.owner as string, row.key as string));
  const lost = wanted.filter((w) => !claimed.has(keyId(w.owner, w.key)));
  const storedMeanwhile = await storedKeys(
    tx,
    lost.map((w) => w.owner),
    lost.map((w) => w.key),
  );
  return { claimed, storedMeanwhile, alongside: written! };
}

/** Fills in the responses of the claimed keys whose transfers went through, in the batch's write group. */
export function settleKeys(
  group: WriteGroup,
  done: readonly { owner: string; key: string; response: TransferResult }[],
): void {
  group.table('idempotency').updateEach(
    ['owner', 'key'],
    done.map((d) => ({ ...d })),
  );
}

/**
 * Gives back the claims of keys whose transfers were refused: one statement per payer, not per
 * key, since the batch holds its wallets' locks meanwhile (someone retrying without the money
 * would otherwise hold them for a round trip per refusal).
 */
export async function giveBackKeys(tx: DatabaseTransaction, failed: readonly { owner: string; key: string }[]) {
  for (const [owner, refused] of Map.groupBy(failed, (f) => f.owner)) {
    const keys = refused.map((f) => f.key);
    await tx.table('idempotency').where({ owner }).whereIn('key', keys).delete();
  }
}
