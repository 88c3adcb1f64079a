import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fchmodSync, mkdirSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
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
  mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
  const partial = `${target}.partial-${randomBytes(4).toString('hex')}`;
  try {
    createPrivateFile(partial);
    await db.knex.raw('VACUUM INTO ?', [partial]);
    renameSync(partial, target);
  } catch (err) {
    rmSync(partial, { force: true });
    throw err;
  }
  return { file: target, bytes: statSync(target).size };
}

/**
 * Creates `file` empty, readable and writable by its owner only, for a backup to be written into.
 * A backup holds the host's secrets (the file URLs' key, the VAPID private key, plugins' secrets,
 * password hashes), so it must not take the umask's usual 0644 the moment it appears. `replace`
 * empties a file that exists (pg_dump's overwrite) and makes it private too; otherwise an
 * existing file is refused. SQLite's VACUUM INTO and pg_dump both write into an empty file and
 * keep its mode.
 */
export function createPrivateFile(file: string, { replace = false } = {}): void {
  let fd: number;
  try {
    fd = openSync(file, replace ? 'w' : 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST')
      throw new SwitchboardError('invalid_operation', `The backup file ${file} already exists; choose a new name.`);
    throw err;
  }
  try {
    // openSync's mode applies only to a file it creates; an emptied one keeps its old mode.
    fchmodSync(fd, 0o600);
  } finally {
    closeSync(fd);
  }
}
