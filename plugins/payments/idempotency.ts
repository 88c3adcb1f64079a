import type { CryptoCapability, DatabaseTransaction } from '../../sdk/index.js';
import { PaymentError } from './payment-error.js';

/** A stable text of a request (keys sorted), so the same request always hashes the same. */
export function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  return `{${Object.keys(value)
    .sort()
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
    .join(',')}}`;
}

/** The refusal of a key used before for a different request. */
export function idempotencyConflict(key: string): PaymentError {
  return new PaymentError('idempotency_conflict', `The idempotency key "${key}" was used for a different request.`);
}

export function checkKey(key: unknown): string {
  if (typeof key !== 'string' || key.length < 1 || key.length > 128) {
    throw new PaymentError('invalid_payment_request', 'idempotencyKey must be a string of 1 to 128 characters.');
  }
  return key;
}

/**
 * Runs a mutation once per (owner, key), in the caller's transaction. The key row is inserted
 * first: a concurrent request with the same key waits on it, then finds the stored response.
 * The same key with the same request returns the original response; with a different request
 * it is an idempotency_conflict and changes nothing. A mutation that fails rolls back with its
 * key, so it may be retried.
 */
export async function once<T>(
  tx: DatabaseTransaction,
  crypto: CryptoCapability,
  owner: string,
  key: string,
  request: unknown,
  run: () => Promise<T>,
): Promise<{ response: T; replayed: boolean }> {
  const requestHash = await crypto.sha256(canonical(request));
  const inserted = await tx
    .table('idempotency')
    .insert(
      { owner, key, request_hash: requestHash, response: null, created_at: Date.now() },
      { onConflictIgnore: ['owner', 'key'] },
    );
  if (inserted.length === 0) {
    const stored = await tx
      .table<{ owner: string; key: string; request_hash: string; response: T }>('idempotency')
      .where({ owner, key })
      .first();
    if (stored!.request_hash !== requestHash) throw idempotencyConflict(key);
    return { response: stored!.response, replayed: true };
  }
  const response = await run();
  await tx.table('idempotency').where({ owner, key }).update({ response });
  return { response, replayed: false };
}
