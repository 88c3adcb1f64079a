import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { MAX_OUTBOUND_BODY_BYTES } from '../../host/outbound/outbound-exchange.js';

/** What the server saw of one caller (the `from` of its requests' query). */
export interface CallerCounts {
  /** Requests that reached the server. */
  received: number;
  /** Requests not yet answered whose connection is still open. */
  open: number;
  /** The most of them open at once. */
  maxOpen: number;
  /** Connections still open whose first request came from this caller (in use or kept alive). */
  connections: number;
}

export interface CountingServer {
  readonly port: number;
  /** `http://127.0.0.1:<port><path>?from=<from>` */
  url(path: string, from: string): string;
  counts(from: string): CallerCounts;
  /** Answers the caller's requests held at /held, and those that come to it from now on. */
  release(from: string): void;
  close(): Promise<void>;
}

/**
 * A receiver that counts, per caller, the requests it holds open and the connections it keeps,
 * so a test sees from the outside how many requests a plugin has in flight at once.
 * /ok answers at once; /mib answers 1 MiB; /stall never answers (the caller's deadline ends it);
 * /mib-stall sends all but the last byte of 1 MiB and stops, so the caller has buffered the rest;
 * /held answers once the test releases the caller. Kept-alive connections stay open for a minute,
 * so only the caller closes them within a test.
 */
export async function startCountingServer(): Promise<CountingServer> {
  const callers = new Map<string, CallerCounts>();
  const held = new Map<string, ServerResponse[]>();
  const released = new Set<string>();
  const countsOf = (from: string) => {
    let c = callers.get(from);
    if (!c) callers.set(from, (c = { received: 0, open: 0, maxOpen: 0, connections: 0 }));
    return c;
  };
  const answer = (res: ServerResponse) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok');
  };
  const owners = new WeakMap<Socket, string>();
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url!, 'http://x');
    const from = url.searchParams.get('from') ?? '';
    const c = countsOf(from);
    if (!owners.has(req.socket)) {
      owners.set(req.socket, from);
      c.connections++;
      req.socket.once('close', () => c.connections--);
    }
    c.received++;
    c.open++;
    c.maxOpen = Math.max(c.maxOpen, c.open);
    res.once('close', () => c.open--);
    req.resume();
    switch (url.pathname) {
      case '/ok':
        return answer(res);
      case '/mib':
        res.writeHead(200, { 'content-type': 'text/plain' });
        return res.end(Buffer.alloc(MAX_OUTBOUND_BODY_BYTES, 'm'));
      case '/mib-stall':
        res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(MAX_OUTBOUND_BODY_BYTES) });
        return void res.write(Buffer.alloc(MAX_OUTBOUND_BODY_BYTES - 1, 's'));
      case '/held':
        if (released.has(from)) return answer(res);
        return void held.set(from, [...(held.get(from) ?? []), res]);
      case '/stall':
        return;
      default:
        res.writeHead(404);
        res.end();
    }
  });
  server.keepAliveTimeout = 60_000;
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    port,
    url: (path, from) => `http://127.0.0.1:${port}${path}?from=${from}`,
    counts: (from) => ({ ...countsOf(from) }),
    release(from) {
      released.add(from);
      for (const res of held.get(from) ?? []) answer(res);
      held.delete(from);
    },
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
