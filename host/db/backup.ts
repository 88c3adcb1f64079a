import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { Database } from './open-database.js';

/**
 * An online backup of an SQLite database into `file`, through the connection that holds it:
 * `VACUUM INTO` writes a consistent, compacted copy of the last committed state while the host
 * keeps running (writes wait while it runs). The copy appears under its name only once complete.
 * PostgreSQL is backed up with pg_dump instead.
 */
export async function backupSqlite(db: Database, file: string): Promise<{ file: string; bytes: number }> {
  if (db.kind !== 'sqlite') {
    throw new SwitchboardError(
      'invalid_operation',
      'Online backup through the host is for SQLite; back up PostgreSQL with pg_dump (see docs/operators.md).',
    );
  }
  const target = resolve(file);
  if (existsSync(target))
    throw new SwitchboardError('invalid_operation', `The backup file ${target} already exists; choose a new name.`);
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  try {
    await db.knex.raw('VACUUM INTO ?', [partial]);
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  return { file: target, bytes: statSync(target).size };
}
