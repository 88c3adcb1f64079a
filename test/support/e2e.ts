/**
 * Small helpers shared by the end-to-end suites: raw sockets, child processes that are expected
 * to fail, free ports and plain HTTP against a host that runs in another process.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { TestClient } from './test-client.js';

export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A TCP port that nothing listens on right now. */
export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const server = createServer();
    server.once('error', rej);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => res(port));
    });
  });
}

/** True if something accepts TCP connections on 127.0.0.1:port. */
export function isListening(port: number): Promise<boolean> {
  return new Promise((res) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      res(true);
    });
    socket.once('error', () => res(false));
  });
}

/** Writes a config object (or raw text) to a fresh temporary file and returns its path. */
export function writeConfig(config: object | string): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-cfg-'));
  const path = join(dir, 'config.json');
  writeFileSync(path, typeof config === 'string' ? config : JSON.stringify(config, null, 2));
  return path;
}

export interface HttpAnswer {
  status: number;
  body: any;
}

/** Plain JSON over HTTP. `token` becomes a bearer header. */
export async function httpJson(
  baseUrl: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown } = {},
): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body };
}

/** Every message of a conversation, ascending by seq, paging with `after`. */
export async function fullHistory(baseUrl: string, token: string, conversationId: string): Promise<any[]> {
  const all: any[] = [];
  let after = 0;
  for (;;) {
    const page = await httpJson(
      baseUrl,
      'GET',
      `/v1/conversations/${conversationId}/messages?after=${after}&limit=100`,
      { token },
    );
    if (page.status !== 200) throw new Error(`history failed: ${page.status} ${JSON.stringify(page.body)}`);
    all.push(...page.body.messages);
    if (!page.body.hasMore || page.body.messages.length === 0) return all;
    after = page.body.messages[page.body.messages.length - 1].seq;
  }
}

/** Opens a socket without authenticating (optionally with extra headers); resolves once open. */
export async function openRaw(wsUrl: string, headers: Record<string, string> = {}): Promise<TestClient> {
  const ws = new WebSocket(wsUrl, { headers });
  const client = new TestClient(ws);
  await new Promise<void>((res, rej) => {
    ws.once('open', () => res());
    ws.once('unexpected-response', (_req, r) => rej(new Error(`upgrade refused with HTTP ${r.statusCode}`)));
    ws.once('error', rej);
  });
  return client;
}

/** Attempts an upgrade that should be refused; resolves with the HTTP status and parsed body. */
export function refusedUpgrade(wsUrl: string, headers: Record<string, string>): Promise<HttpAnswer> {
  return new Promise((res, rej) => {
    const ws = new WebSocket(wsUrl, { headers });
    ws.once('open', () => {
      ws.terminate();
      rej(new Error('upgrade unexpectedly succeeded'));
    });
    ws.once('error', () => {
      /* reported via unexpected-response or open */
    });
    ws.once('unexpected-response', (_req, r) => {
      let text = '';
      r.on('data', (c: Buffer) => {
        text += c.toString();
      });
      r.on('end', () => {
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          /* not JSON */
        }
        ws.terminate();
        res({ status: r.statusCode ?? 0, body });
      });
    });
  });
}

/** Resolves with the close code, or rejects if the socket is still open after `timeoutMs`. */
export async function closeCodeWithin(client: TestClient, timeoutMs: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, rej) => {
    timer = setTimeout(() => rej(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return (await Promise.race([client.closed, timeout])).code;
  } finally {
    clearTimeout(timer);
  }
}

let pingCounter = 0;
/** Sends an application-level ping and resolves when its pong arrives (rejects on close or timeout). */
export async function ping(client: TestClient, timeoutMs = 5000): Promise<true> {
  const id = `ping-${++pingCounter}`;
  const pong = client.waitFor((f) => f.type === 'pong' && f.replyTo === id, timeoutMs);
  client.sendRaw({ type: 'ping', id });
  await pong;
  return true;
}
