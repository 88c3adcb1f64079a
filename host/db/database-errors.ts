import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08001',
  '08003',
  '08006', // PostgreSQL: shutdown, cannot connect, connection lost
  'SQLITE_BUSY',
  'SQLITE_IOERR',
  'SQLITE_FULL',
]);

/**
 * Any unexpected error as a catalog error: a database that cannot be reached or is full is
 * `unavailable` (retry later); anything else is `internal_error`.
 */
export function asSystemError(err: unknown): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  const e = err as { code?: string; name?: string };
  const unavailable =
    (e?.code && (CONNECTION_CODES.has(e.code) || e.code.startsWith('SQLITE_IOERR'))) || e?.name === 'KnexTimeoutError';
  return new SwitchboardError(unavailable ? 'unavailable' : 'internal_error', undefined, { cause: err });
}
