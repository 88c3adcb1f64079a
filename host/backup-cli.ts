import { spawn } from 'node:child_process';
import { connect } from 'node:net';
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { loadConfig } from './config/load-config.js';
import { controlSocketPath } from './control-socket.js';
import { databaseKindOf } from './db/open-database.js';
import { createPrivateFile } from './db/backup.js';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';

/**
 * `npm run backup [-- --config FILE] [--out FILE]`: a consistent copy of the database, taken while
 * the host runs.
 * - SQLite: the running host writes it (`VACUUM INTO`, through its control socket in dataDir), since
 *   it holds the file with an exclusive lock; with no host running, this process writes it.
 * - PostgreSQL: pg_dump of the configured schema (custom format; restore with pg_restore).
 */
async function backup(): Promise<void> {
  const config = loadConfig();
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const sqlite = databaseKindOf(config.database.url) === 'sqlite';
  const outArg = optionValue('--out');
  // Under npm the working directory is the project; a relative --out means the caller's directory.
  const out = outArg
    ? resolve(process.env.INIT_CWD ?? process.cwd(), outArg)
    : resolve(config.dataDir, 'backups', `switchboard-${stamp}.${sqlite ? 'db' : 'dump'}`);
  // Backups hold the host's secrets: a directory made here is its owner's only, as is each file.
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
  const written = sqlite
    ? await backupSqlite(config.dataDir, config.database.url, out)
    : await pgDump(config.database, out);
  process.stdout.write(`backup written: ${written.file}${written.bytes ? ` (${written.bytes} bytes)` : ''}\n`);
}

function optionValue(name: string): string | undefined {
  const argv = process.argv.slice(2);
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

async function backupSqlite(dataDir: string, url: string, out: string): Promise<{ file: string; bytes?: number }> {
  const answer = await ask(controlSocketPath(dataDir), { command: 'backup', file: out });
  if (answer) {
    if (!answer.ok)
      throw new SwitchboardError(
        answer.code === 'invalid_operation' ? 'invalid_operation' : 'internal_error',
        answer.message,
      );
    return { file: answer.file, bytes: answer.bytes };
  }
  // No host answers: copy the file directly (it fails with database_locked if a host holds it after all).
  const filename = resolve(url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, ''));
  createPrivateFile(out);
  let db: BetterSqlite3.Database | undefined;
  try {
    db = new BetterSqlite3(filename, { fileMustExist: true, timeout: 0 });
    db.prepare('VACUUM INTO ?').run(out);
  } catch (err) {
    // The empty file made for the copy must not pass for a backup.
    rmSync(out, { force: true });
    const code = (err as { code?: string }).code ?? '';
    if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
      throw new SwitchboardError(
        'database_locked',
        `A host holds ${filename}, but none answers on ${controlSocketPath(dataDir)}: run the backup with the same config (dataDir) as that host.`,
      );
    }
    throw err;
  } finally {
    db?.close();
  }
  return { file: out };
}

interface ControlAnswer {
  ok: boolean;
  file: string;
  bytes: number;
  code?: string;
  message: string;
}

/** One JSON line to the running host's control socket; null if no host listens there. */
function ask(path: string, request: object): Promise<ControlAnswer | null> {
  return new Promise((res, rej) => {
    const socket = connect(path);
    let text = '';
    let connected = false;
    socket.setEncoding('utf8');
    socket.once('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify(request)}\n`);
    });
    socket.on('data', (c: string) => {
      text += c;
    });
    socket.once('error', (err: NodeJS.ErrnoException) => (connected ? rej(err) : res(null)));
    socket.once('end', () => {
      // The host's control socket (host/control-socket.ts) answers with a ControlAnswer.
      try {
        res(JSON.parse(text) as ControlAnswer);
      } catch (err) {
        rej(new Error(`unexpected answer from the host: ${text}`, { cause: err }));
      }
    });
  });
}

function pgDump(database: { url: string; schema: string }, out: string): Promise<{ file: string; bytes?: number }> {
  // pg_dump overwrites --file as it always did, but into a file only its owner can read.
  createPrivateFile(out, { replace: true });
  return new Promise((res, rej) => {
    const fail = (err: Error) => {
      // What a failed pg_dump left (nothing, or part of a dump) must not pass for a backup.
      rmSync(out, { force: true });
      rej(err);
    };
    const child = spawn(
      'pg_dump',
      ['--format=custom', `--schema=${database.schema}`, `--file=${out}`, `--dbname=${database.url}`],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.once('error', (err: NodeJS.ErrnoException) =>
      fail(
        err.code === 'ENOENT'
          ? new SwitchboardError(
              'invalid_operation',
              'pg_dump is not installed: install the PostgreSQL client tools (the same major version as the server, or newer).',
            )
          : err,
      ),
    );
    child.once('exit', (code) =>
      code === 0
        ? res({ file: out })
        : fail(new SwitchboardError('database_unreachable', `pg_dump exited with code ${code}`)),
    );
  });
}

backup().then(
  () => process.exit(0),
  (err) => {
    const code = err instanceof SwitchboardError ? err.code : 'internal_error';
    process.stderr.write(`switchboard backup failed [${code}]: ${(err as Error).message}\n`);
    // One line per bad field, as `npm start` and `npm run migrate` print them.
    for (const d of (err as SwitchboardError).details ?? []) process.stderr.write(`  ${d.path}: ${d.message}\n`);
    process.exit(1);
  },
);
