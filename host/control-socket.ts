import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { Logger } from './logging/logger.js';

/** Where a running host takes local operator commands (`npm run backup`): <dataDir>/control.sock. */
export function controlSocketPath(dataDir: string): string {
  return join(resolve(dataDir), 'control.sock');
}

export interface ControlCommands {
  backup(file: string): Promise<{ file: string; bytes: number }>;
}

/**
 * A Unix socket, readable and writable by the host's user only, for commands that must run inside
 * the host: one JSON line in, one JSON line out. Only `backup` today: SQLite is held with an
 * exclusive lock, so no other process can read it while the host runs.
 */
export async function openControlSocket(
  dataDir: string,
  commands: ControlCommands,
  log: Logger,
): Promise<{ close(): Promise<void> } | null> {
  const path = controlSocketPath(dataDir);
  mkdirSync(resolve(dataDir), { recursive: true });
  if (await answers(path)) {
    log.warn({ path }, 'another host uses this control socket (same dataDir); npm run backup reaches that one');
    return null;
  }
  rmSync(path, { force: true }); // left by a host that was killed
  const server: Server = createServer((socket) => serve(socket, commands, log));
  try {
    await new Promise<void>((res, rej) => {
      server.once('error', rej);
      server.listen(path, () => {
        server.off('error', rej);
        res();
      });
    });
  } catch (err) {
    log.warn({ path, err: (err as Error).message }, 'no control socket: npm run backup cannot reach this host');
    return null;
  }
  chmodSync(path, 0o600);
  return {
    close: () =>
      new Promise<void>((res) =>
        server.close(() => {
          rmSync(path, { force: true });
          res();
        }),
      ),
  };
}

function serve(socket: Socket, commands: ControlCommands, log: Logger): void {
  let input = '';
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.on('data', (chunk: string) => {
    input += chunk;
    const end = input.indexOf('\n');
    if (end < 0) {
      if (input.length > 64 * 1024) socket.destroy();
      return;
    }
    socket.removeAllListeners('data');
    void run(input.slice(0, end)).then((answer) => socket.end(`${JSON.stringify(answer)}\n`));
  });

  async function run(line: string): Promise<object> {
    try {
      const request = JSON.parse(line) as { command?: string; file?: unknown };
      if (request.command !== 'backup' || typeof request.file !== 'string')
        return { ok: false, code: 'invalid_operation', message: 'Unknown command.' };
      const written = await commands.backup(request.file);
      log.info(written, 'backup written');
      return { ok: true, ...written };
    } catch (err) {
      const e = err as { code?: string; message?: string };
      log.warn({ err: e?.message }, 'backup failed');
      return {
        ok: false,
        code: typeof e?.code === 'string' ? e.code : 'internal_error',
        message: e?.message ?? String(err),
      };
    }
  }
}

/** True if a live process accepts connections on the socket. */
function answers(path: string): Promise<boolean> {
  return new Promise((res) => {
    const probe = connect(path);
    probe.once('connect', () => {
      probe.destroy();
      res(true);
    });
    probe.once('error', () => res(false));
  });
}
