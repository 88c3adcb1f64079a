import { stringProblem } from '../validation/input-strings.js';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { StoredValue } from '../../sdk/plugin/plugin-context.js';
import type { KvRow } from './plugin-kv-reads.js';

// The rules a plugin's keys, values and versions keep, and how a stored row reads back.

export const MAX_KEY_LENGTH = 512;

export function live(row: KvRow, now: number): boolean {
  return row.expires_at === null || row.expires_at > now;
}

export function toStored(row: KvRow): StoredValue {
  return {
    value: JSON.parse(row.value) as unknown,
    version: row.version,
    expiresAt: row.expires_at === null ? null : new Date(row.expires_at).toISOString(),
  };
}

export function checkKey(key: string, what = 'Storage keys'): void {
  if (typeof key !== 'string' || key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new SwitchboardError('invalid_request', `${what} are strings of 1 to ${MAX_KEY_LENGTH} characters.`);
  }
  checkWellFormed(key, what);
}

/** A key is stored as text, not as JSON: a lone surrogate would be stored as U+FFFD (two keys becoming one row), and NUL refused by PostgreSQL alone. */
export function checkWellFormed(text: string, what: string): void {
  const problem = stringProblem(text);
  if (problem) throw new SwitchboardError('invalid_request', `${what} must be well-formed: this one ${problem}.`);
}

export function serialize(value: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    throw new SwitchboardError('invalid_request', `Stored values must be JSON: ${(err as Error).message}`);
  }
  if (json === undefined)
    throw new SwitchboardError('invalid_request', 'Stored values must be JSON (not undefined or a function).');
  return json;
}

export function checkVersion(ifVersion: number | undefined, current: KvRow | null): void {
  if (ifVersion === undefined) return;
  // A version no key can have is a mistake to name, not a conflict to retry.
  if (!Number.isSafeInteger(ifVersion) || ifVersion < 0)
    throw new SwitchboardError(
      'invalid_request',
      'ifVersion must be a whole number ≥ 0 (0: only if the key is absent).',
    );
  const actual = current?.version ?? 0;
  if (ifVersion !== actual) {
    throw new SwitchboardError(
      'storage_conflict',
      ifVersion === 0
        ? 'The key already exists.'
        : `Expected version ${ifVersion}, found ${current ? actual : 'no value'}.`,
    );
  }
}
