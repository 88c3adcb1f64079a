import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type PageHandler = (req: IncomingMessage, res: ServerResponse) => void;

/** What the server saw of one path. */
export interface PathCounts {
  /** Requests that reached it. */
  requests: number;
  /** Of those, the ones whose connection has closed (the caller went, or the answer was sent). */
  closed: number;
}

export interface PageServer {
  readonly port: number;
  /** `http://127.0.0.1:<port><path>` */
  url(path: string): string;
  /** Serves `path` (without its query) with `handler` from now on. */
  route(path: string, handler: PageHandler): void;
  /** Serves `html` at `path` as text/html; UTF-8 unless another `type` is given. */
  page(path: string, html: string | Buffer, type?: string): void;
  counts(path: string): PathCounts;
  close(): Promise<void>;
}

/**
 * A web site on 127.0.0.1 for the link-preview suites: pages, images and redirects a test
 * registers, and how many requests reached each path (so a test sees from the outside whether the
 * host fetched something, and whether it let go of a connection). Unknown paths answer 404.
 */
export async function startPageServer(): Promise<PageServer> {
  const routes = new Map<string, PageHandler>();
  const counts = new Map<string, PathCounts>();
  const countsOf = (path: string) => {
    let c = counts.get(path);
    if (!c) counts.set(path, (c = { requests: 0, closed: 0 }));
    return c;
  };
  const server = createServer((req, res) => {
    const path = new URL(req.url!, 'http://x').pathname;
    const c = countsOf(path);
    c.requests++;
    res.once('close', () => c.closed++);
    const handler = routes.get(path);
    if (handler) return handler(req, res);
    res.writeHead(404, { 'content-type': 'text/html' });
    res.end('<title>Not found</title>');
  });
  const port = await new Promise<number>((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port)),
  );
  return {
    port,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    route: (path, handler) => void routes.set(path, handler),
    page(path, html, type = 'text/html; charset=utf-8') {
      routes.set(path, (_req, res) => {
        res.writeHead(200, { 'content-type': type });
        res.end(html);
      });
    },
    counts: (path) => ({ ...countsOf(path) }),
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** A 302 (or `status`) to `location`. */
export function redirectTo(location: string, status = 302): PageHandler {
  return (_req, res) => {
    res.writeHead(status, { location });
    res.end();
  };
}
