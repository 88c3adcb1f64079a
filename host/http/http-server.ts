import type { Server } from 'node:http';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/** Starts listening; a socket error at listen time (port taken, no permission) rejects as `listen_failed`. */
export function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const fail = (err: NodeJS.ErrnoException) => reject(listenError(err, host, port));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

/** A socket error at listen time as one clear operator error naming the address (no stack). */
function listenError(err: NodeJS.ErrnoException, host: string, port: number): Error {
  const address = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  const reason =
    err.code === 'EADDRINUSE'
      ? 'the port is already in use by another process (stop it, or set server.port or PORT)'
      : err.code === 'EACCES'
        ? 'permission denied (ports below 1024 need privileges; choose another server.port)'
        : err.code === 'EADDRNOTAVAIL'
          ? "the address is not one of this machine's (check server.host)"
          : err.message;
  return new SwitchboardError('listen_failed', `Cannot listen on ${address}: ${reason} [${err.code ?? 'error'}]`, {
    cause: err,
  });
}

/** Closes keep-alive connections as their requests finish, until none is left or the grace ends. */
export async function drainHttp(server: Server, closed: Promise<void>, graceMs: number): Promise<void> {
  let done = false;
  void closed.then(() => {
    done = true;
  });
  const deadline = Date.now() + graceMs;
  while (!done && Date.now() < deadline) {
    server.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 25));
  }
  server.closeAllConnections();
}
