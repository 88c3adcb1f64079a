/**
 * Shared by the plugin-outbound-http-*.test.ts files: the host they all run (useOutboundHttpHost), a
 * local receiver that records what reaches it, a port nothing listens on, the fetcher app's entry,
 * an http.outbound permission for given hosts, and a check for a failed probe outcome.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect } from 'vitest';
import { repoRoot } from './e2e.js';
import { enable, probeManifest, prober, roomWith, type Probe, type ProbeOutcome } from './plugin-helpers.js';
import { appManifest } from './sandbox-helpers.js';
import { startTestHost, type TestHost, type TestUser } from './start-test-host.js';
import { MAX_OUTBOUND_BODY_BYTES } from '../../host/outbound/outbound-exchange.js';

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver: /echo answers 201 with what it got; /redirect 302; /hang never; /trickle starts then stalls; /big is over 1 MiB. */
export function startReceiver(): Promise<{ server: Server; port: number; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const path = req.url!.split('?')[0];
      if (path === '/echo') {
        res.writeHead(201, [
          ['content-type', 'text/plain; charset=utf-8'],
          ['x-reply', 'yes'],
          ['set-cookie', 'a=1'],
          ['set-cookie', 'b=2'],
        ]);
        res.end(`got ${req.method} ${body}`);
      } else if (path === '/redirect') {
        res.writeHead(302, { location: '/echo' });
        res.end();
      } else if (path === '/hang') {
        // never answers
      } else if (path === '/trickle') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('first bytes');
      } else if (path === '/big') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        const chunk = Buffer.alloc(64 * 1024, 'x');
        for (let sent = 0; sent <= MAX_OUTBOUND_BODY_BYTES; sent += chunk.length) res.write(chunk);
        res.end();
      } else if (path === '/limit') {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(Buffer.alloc(MAX_OUTBOUND_BODY_BYTES, 'y'));
      } else {
        res.writeHead(404);
        res.end('no such path');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as AddressInfo).port, received })),
  );
}

/**
 * A port nothing listens on: below 1024, which the kernel never hands to a listener asking for
 * any port, so another test's server cannot take it meanwhile (a freed ephemeral port could be).
 * Checked refused before it is used.
 */
export async function closedPort(): Promise<number> {
  for (let port = 1; port < 1024; port++) {
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(false);
      });
      socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED'));
    });
    if (refused) return port;
  }
  throw new Error('no closed port below 1024');
}

export const FETCHER_APP = `${repoRoot}/test/fixtures/apps/fetcher/index.ts`;
export const outbound = (hosts: string[]) => ({ commands: {}, 'http.outbound': { hosts } });

export function expectFailed(outcome: ProbeOutcome, code: string, message?: RegExp) {
  expect(outcome).toMatchObject({ ok: false, code });
  if (!outcome.ok && message) expect(outcome.message).toMatch(message);
}

/** What useOutboundHttpHost gives a test file; host, user, port, received and closed once beforeAll has run. */
export interface OutboundHttpHost {
  readonly host: TestHost;
  readonly user: TestUser;
  /** The receiver's port. */
  readonly port: number;
  readonly received: Received[];
  /** A port nothing listens on. */
  readonly closed: number;
  /** One probe per plugin, each in a room of its own. */
  readonly probes: Record<string, Probe>;
  /** The receiver's origin. */
  readonly base: () => string;
  /** Runs a probe op and says how many requests reached the receiver meanwhile. */
  readonly fetchAs: (
    pluginId: string,
    url: string,
    request?: object,
  ) => Promise<{ outcome: ProbeOutcome; arrived: number }>;
}

/**
 * A receiver and a host with plugins of every kind of http.outbound grant, started before the
 * calling file's tests and stopped after them: `fetcher` (one port of 127.0.0.1, and subdomains
 * of example.test), `anyport` (127.0.0.1 on any port), `anyhost` ("*"), `narrowed` (asks for two
 * patterns; the operator keeps one), `nohosts` (no scope.hosts), `refuser` (the operator refuses
 * the grant), `without` (no permission), and the sandboxed `fetcher-app`.
 */
export function useOutboundHttpHost(): OutboundHttpHost {
  let server: Server | undefined;
  const state = {} as { host: TestHost; user: TestUser; port: number; received: Received[]; closed: number };
  const probes: Record<string, Probe> = {};

  beforeAll(async () => {
    const receiver = await startReceiver();
    server = receiver.server;
    state.port = receiver.port;
    state.received = receiver.received;
    state.closed = await closedPort();
    const port = receiver.port;
    state.host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            enable(probeManifest('fetcher', { permissions: outbound([`127.0.0.1:${port}`, '*.example.test']) })),
            enable(probeManifest('anyport', { permissions: outbound(['127.0.0.1']) })),
            enable(probeManifest('anyhost', { permissions: outbound(['*']) })),
            enable(probeManifest('narrowed', { permissions: outbound(['127.0.0.1:*', 'other.test']) }), {
              grants: { 'http.outbound': { hosts: ['127.0.0.1:*'] } },
            }),
            enable(probeManifest('nohosts', { permissions: { commands: {}, 'http.outbound': {} } })),
            enable(probeManifest('refuser', { permissions: outbound(['*']) }), { grants: { 'http.outbound': false } }),
            enable(probeManifest('without')),
            enable(appManifest('fetcher-app', { entry: FETCHER_APP, permissions: outbound([`127.0.0.1:${port}`]) })),
          ],
        },
      },
    });
    state.user = await state.host.createUser();
    const ids = ['fetcher', 'anyport', 'anyhost', 'narrowed', 'nohosts', 'refuser', 'without'];
    for (const id of ids)
      probes[id] = prober(state.host, state.user, (await roomWith(state.host, state.user, [id])).id);
  });
  afterAll(async () => {
    await state.host?.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  return {
    get host() {
      return state.host;
    },
    get user() {
      return state.user;
    },
    get port() {
      return state.port;
    },
    get received() {
      return state.received;
    },
    get closed() {
      return state.closed;
    },
    probes,
    base: () => `http://127.0.0.1:${state.port}`,
    fetchAs: async (pluginId, url, request) => {
      const before = state.received.length;
      const outcome = await probes[pluginId]!('http.fetch', url, ...(request ? [request] : []));
      return { outcome, arrived: state.received.length - before };
    },
  };
}
