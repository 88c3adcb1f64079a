/**
 * Outbound HTTP (ctx.http.fetch, permission http.outbound): requests reach a real local server
 * exactly as sent and its answer comes back; hosts outside scope.hosts are refused before
 * anything is sent; redirects are returned, not followed; failures of the exchange (refused
 * connection, deadline, oversize answer) are outbound_http_failed; bad input is invalid_request;
 * a sandboxed app has the same capability.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import {
  auditOf,
  enable,
  expectDenied,
  probeManifest,
  prober,
  roomWith,
  writeManifest,
  type Probe,
  type ProbeOutcome,
} from './support/plugin-helpers.js';
import { appManifest, runOp, waitForApp } from './support/sandbox-helpers.js';
import {
  checkRequest,
  hostAllowed,
  isPrivateAddress,
  MAX_OUTBOUND_BODY_BYTES,
  sendRequest,
} from '../host/plugins/capabilities/outbound-http.js';
import { loadManifest } from '../host/plugins/manifest-loader.js';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver: /echo answers 201 with what it got; /redirect 302; /hang never; /trickle starts then stalls; /big is over 1 MiB. */
function startReceiver(): Promise<{ server: Server; port: number; received: Received[] }> {
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

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

const FETCHER_APP = `${repoRoot}/test/fixtures/apps/fetcher/index.ts`;
const outbound = (hosts: string[]) => ({ commands: {}, 'http.outbound': { hosts } });

function expectFailed(outcome: ProbeOutcome, code: string, message?: RegExp) {
  expect(outcome).toMatchObject({ ok: false, code });
  if (!outcome.ok && message) expect(outcome.message).toMatch(message);
}

describe('outbound HTTP', () => {
  let host: TestHost;
  let user: TestUser;
  let server: Server;
  let port: number;
  let received: Received[];
  let closed: number;
  const probes: Record<string, Probe> = {};
  const base = () => `http://127.0.0.1:${port}`;

  beforeAll(async () => {
    ({ server, port, received } = await startReceiver());
    closed = await closedPort();
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            // One port of 127.0.0.1, and subdomains of example.test.
            enable(probeManifest('fetcher', { permissions: outbound([`127.0.0.1:${port}`, '*.example.test']) })),
            // 127.0.0.1 on any port.
            enable(probeManifest('anyport', { permissions: outbound(['127.0.0.1']) })),
            enable(probeManifest('anyhost', { permissions: outbound(['*']) })),
            // Asks for two patterns; the operator keeps one.
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
    user = await host.createUser();
    const ids = ['fetcher', 'anyport', 'anyhost', 'narrowed', 'nohosts', 'refuser', 'without'];
    // One room each: every probe answers /probe.
    for (const id of ids) probes[id] = prober(host, user, (await roomWith(host, user, [id])).id);
  });
  afterAll(async () => {
    await host?.stop();
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  /** Runs a probe op and says how many requests reached the receiver meanwhile. */
  async function fetchAs(
    pluginId: string,
    url: string,
    request?: object,
  ): Promise<{ outcome: ProbeOutcome; arrived: number }> {
    const before = received.length;
    const outcome = await probes[pluginId]!('http.fetch', url, ...(request ? [request] : []));
    return { outcome, arrived: received.length - before };
  }

  it('sends a POST exactly as given and returns status, headers and body', async () => {
    const body = JSON.stringify({ text: 'héllo ✓', n: 1 });
    const { outcome, arrived } = await fetchAs('fetcher', `${base()}/echo?q=1&r=two`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Signature': 'sig-123' },
      body,
      timeoutMs: 5000,
    });
    expect(arrived).toBe(1);
    const got = received.at(-1)!;
    expect(got).toMatchObject({ method: 'POST', url: '/echo?q=1&r=two', body });
    expect(got.headers).toMatchObject({
      'content-type': 'application/json',
      'x-signature': 'sig-123',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': expect.stringMatching(/^Switchboard\/\d+\.\d+\.\d+/),
      host: `127.0.0.1:${port}`,
    });
    expect(got.headers['transfer-encoding']).toBeUndefined();
    expect(outcome).toMatchObject({ ok: true, value: { status: 201, body: `got POST ${body}` } });
    const { headers } = (outcome as { value: { headers: Record<string, string> } }).value;
    expect(headers).toMatchObject({
      'content-type': 'text/plain; charset=utf-8',
      'x-reply': 'yes',
      'set-cookie': 'a=1, b=2',
    });
    expect(Object.keys(headers).every((name) => name === name.toLowerCase())).toBe(true);
  });

  it('defaults to GET, lets the plugin set its own user-agent, and returns error statuses as answers', async () => {
    const { outcome } = await fetchAs('fetcher', `${base()}/nowhere`, { headers: { 'User-Agent': 'webhooks/2' } });
    expect(outcome).toMatchObject({ ok: true, value: { status: 404, body: 'no such path' } });
    expect(received.at(-1)).toMatchObject({ method: 'GET', body: '', headers: { 'user-agent': 'webhooks/2' } });
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      expect((await fetchAs('fetcher', `${base()}/echo`, { method, body: 'x' })).outcome).toMatchObject({
        ok: true,
        value: { status: 201, body: `got ${method} x` },
      });
    }
  });

  it('audits method and host of every call sent, never the body or the path', async () => {
    await fetchAs('fetcher', `${base()}/echo?secret=s3cr3t`, { method: 'POST', body: 'private body' });
    const entries = await auditOf(host, 'fetcher');
    expect(entries[0]).toMatchObject({ capability: 'http', action: 'fetch', target: `POST 127.0.0.1:${port}` });
    expect(JSON.stringify(entries)).not.toMatch(/private body|s3cr3t|echo/);
  });

  it('refuses hosts and ports outside scope.hosts with PermissionDeniedError, sending nothing', async () => {
    for (const url of [
      `http://127.0.0.1:${closed}/echo`,
      `http://localhost:${port}/echo`,
      'https://example.test/',
      'http://evil.test/x',
    ]) {
      const { outcome, arrived } = await fetchAs('fetcher', url);
      expectDenied(outcome, 'http.outbound');
      expect(outcome.ok === false && outcome.message, url).toContain('matches no pattern in scope.hosts');
      expect(arrived).toBe(0);
    }
    expect(await auditOf(host, 'fetcher')).not.toContainEqual(
      expect.objectContaining({ target: expect.stringContaining('evil') }),
    );
  });

  it('a "*." pattern admits subdomains (this one does not resolve, so the exchange fails)', async () => {
    const { outcome } = await fetchAs('fetcher', 'http://api.example.test/', { timeoutMs: 3000 });
    expectFailed(outcome, 'outbound_http_failed', /api\.example\.test/);
  });

  it('a pattern without a port admits every port; "*" admits every public host, never a private one', async () => {
    expect((await fetchAs('anyport', `${base()}/echo`)).outcome).toMatchObject({ ok: true, value: { status: 201 } });
    expectFailed((await fetchAs('anyport', `http://127.0.0.1:${closed}/`)).outcome, 'outbound_http_failed');
    expectDenied((await fetchAs('anyport', `http://localhost:${port}/`)).outcome, 'http.outbound');
    // A wildcard is for the internet: loopback must be named, by address or by a name resolving to it.
    const direct = await fetchAs('anyhost', `${base()}/echo`);
    expectDenied(direct.outcome, 'http.outbound');
    expect(direct.outcome.ok === false && direct.outcome.message).toContain('private address');
    const byName = await fetchAs('anyhost', `http://localhost:${port}/echo`);
    expectFailed(byName.outcome, 'outbound_http_failed', /private address/);
    expect(byName.arrived + direct.arrived).toBe(0);
  });

  it('knows private addresses, IPv4 addresses embedded in IPv6 ones included', () => {
    const refused = [
      // IPv4: loopback, private, link-local, carrier-grade NAT, unspecified, broadcast, multicast, reserved and documentation.
      '127.0.0.1',
      '10.1.2.3',
      '172.16.0.1',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '255.255.255.255',
      '224.0.0.1',
      '240.0.0.1',
      '192.0.2.1',
      '198.18.0.1',
      '192.88.99.1',
      // IPv6: loopback, unspecified, unique-local, link-local, site-local, multicast, documentation, discard, unassigned.
      '::1',
      '[::1]',
      '::',
      'fd00::1',
      'fc00::1',
      'fe80::1',
      'fec0::1',
      'ff02::1',
      '2001:db8::1',
      '100::1',
      '4000::1',
      // IPv4-mapped, -translated and -compatible forms of private addresses.
      '::ffff:10.0.0.1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '[::ffff:a9fe:a9fe]',
      '::ffff:0:7f00:1',
      '::127.0.0.1',
      '::7f00:1',
      '::a00:1',
      // NAT64, well-known prefix, of private addresses; the local-use prefix whatever it embeds.
      '64:ff9b::a00:1',
      '64:ff9b::127.0.0.1',
      '64:ff9b::a9fe:a9fe',
      '64:ff9b::',
      '64:ff9b:1::808:808',
      '64:ff9b:1:7f00:1::',
      // 6to4 of private addresses.
      '2002:7f00:1::',
      '2002:a00:1::1',
      '2002:a9fe:a9fe::',
      '2002:c0a8:101:1::1',
      '2002::',
      // Teredo, whatever client it names.
      '2001:0:4136:e378:8000:63bf:3fff:fdd2',
      '2001::1',
      '2001:0:808:808::',
    ];
    const allowed = [
      '8.8.8.8',
      '172.32.0.1',
      '100.128.0.1',
      '2001:4860:4860::8888',
      '2606:4700:4700::1111',
      '::ffff:8.8.8.8',
      '::ffff:808:808',
      // NAT64 and 6to4 of public addresses (an IPv6-only network reaches the IPv4 internet through them).
      '64:ff9b::808:808',
      '64:ff9b::8.8.8.8',
      '2002:808:808::1',
      'example.com',
      'localhost',
    ];
    for (const a of refused) expect(isPrivateAddress(a), a).toBe(true);
    for (const a of allowed) expect(isPrivateAddress(a), a).toBe(false);
  });

  it('a wildcard does not reach a NAT64 or 6to4 address that embeds a private one', async () => {
    for (const literal of ['[64:ff9b::a00:1]', '[2002:7f00:1::]', `[::ffff:127.0.0.1]:${port}`]) {
      const { outcome, arrived } = await fetchAs('anyhost', `http://${literal}/echo`, { timeoutMs: 3000 });
      expectDenied(outcome, 'http.outbound');
      expect(outcome.ok === false && outcome.message, literal).toContain('private address');
      expect(arrived).toBe(0);
    }
  });

  it('the operator can narrow scope.hosts; no hosts means none', async () => {
    expect((await fetchAs('narrowed', `${base()}/echo`)).outcome).toMatchObject({ ok: true, value: { status: 201 } });
    const other = await fetchAs('narrowed', 'http://other.test/');
    expectDenied(other.outcome, 'http.outbound');
    const none = await fetchAs('nohosts', `${base()}/echo`);
    expectDenied(none.outcome, 'http.outbound');
    expect(none.arrived).toBe(0);
  });

  it('a plugin without the permission, or whose grant was refused, is denied', async () => {
    for (const [id, detail] of [
      ['without', 'not requested in the manifest'],
      ['refuser', 'refused by the operator'],
    ] as const) {
      const { outcome, arrived } = await fetchAs(id, `${base()}/echo`);
      expectDenied(outcome, 'http.outbound');
      expect(outcome.ok === false && outcome.message).toContain(detail);
      expect(arrived).toBe(0);
    }
  });

  it('does not follow redirects: a 302 comes back as a 302', async () => {
    const { outcome, arrived } = await fetchAs('fetcher', `${base()}/redirect`);
    expect(outcome).toMatchObject({ ok: true, value: { status: 302, headers: { location: '/echo' }, body: '' } });
    expect(arrived).toBe(1);
  });

  it('a server that does not answer in time is outbound_http_failed, within the deadline', async () => {
    for (const path of ['/hang', '/trickle']) {
      // The outcome is the proof, not the clock: a fetch that ignored its 300 ms deadline would
      // still be waiting when the host gives up on the command (plugin_timeout after 5 s), and
      // the probe would throw that instead of answering outbound_http_failed naming 300 ms.
      const { outcome } = await fetchAs('fetcher', `${base()}${path}`, { timeoutMs: 300 });
      expectFailed(outcome, 'outbound_http_failed', new RegExp(`127\\.0\\.0\\.1:${port}.*300 ms`));
    }
  });

  it('a refused connection is outbound_http_failed naming the host and the cause', async () => {
    const { outcome } = await fetchAs('anyport', `http://127.0.0.1:${closed}/`);
    expectFailed(outcome, 'outbound_http_failed', new RegExp(`127\\.0\\.0\\.1:${closed}.*ECONNREFUSED`));
    expect(outcome.ok === false && outcome.message).not.toMatch(/\n\s+at /);
  });

  it('a response body over 1 MiB is outbound_http_failed; exactly 1 MiB is fine', async () => {
    expectFailed((await fetchAs('fetcher', `${base()}/big`)).outcome, 'outbound_http_failed', /1 MiB/);
    // Too big for a command reply, so straight through the exchange the capability uses.
    const limit = await sendRequest(checkRequest(`${base()}/limit`, undefined));
    expect(limit).toMatchObject({ status: 200 });
    expect(limit.body.length).toBe(MAX_OUTBOUND_BODY_BYTES);
  });

  it('refuses malformed input with invalid_request, sending nothing', async () => {
    const cases: [string, object | undefined][] = [
      ['not a url', undefined],
      ['/relative', undefined],
      ['ftp://127.0.0.1/file', undefined],
      ['file:///etc/passwd', undefined],
      [`http://user:pw@127.0.0.1:${port}/echo`, undefined],
      [`${base()}/echo`, { method: 'TRACE' }],
      [`${base()}/echo`, { method: 'post' }],
      [`${base()}/echo`, { headers: { 'x-n': 1 } }],
      [`${base()}/echo`, { headers: ['x'] }],
      [`${base()}/echo`, { headers: { 'bad name': 'x' } }],
      [`${base()}/echo`, { headers: { 'x-a': 'line\r\nbreak' } }],
      [`${base()}/echo`, { headers: { Host: 'elsewhere' } }],
      [`${base()}/echo`, { headers: { 'content-length': '1' } }],
      [`${base()}/echo`, { headers: { 'Transfer-Encoding': 'chunked' } }],
      [`${base()}/echo`, { headers: { connection: 'close' } }],
      [`${base()}/echo`, { headers: { 'X-A': '1', 'x-a': '2' } }],
      [`${base()}/echo`, { body: { not: 'a string' } }],
      [`${base()}/echo`, { timeoutMs: 0 }],
      [`${base()}/echo`, { timeoutMs: 30_001 }],
      [`${base()}/echo`, { timeoutMs: 1.5 }],
      [`${base()}/echo`, { follow: true }],
    ];
    for (const [url, request] of cases) {
      const { outcome, arrived } = await fetchAs('anyhost', url, request);
      expect(outcome, `${url} ${JSON.stringify(request)}`).toMatchObject({ ok: false, code: 'invalid_request' });
      expect(arrived).toBe(0);
    }
    expect((await probes.anyhost!('http.fetch', 42)).ok === false).toBe(true);
  });

  it('limits request bodies to 1 MiB of UTF-8', () => {
    const url = `${base()}/echo`;
    expect(checkRequest(url, { method: 'POST', body: 'a'.repeat(MAX_OUTBOUND_BODY_BYTES) }).body!.length).toBe(
      MAX_OUTBOUND_BODY_BYTES,
    );
    expect(() => checkRequest(url, { method: 'POST', body: 'a'.repeat(MAX_OUTBOUND_BODY_BYTES + 1) })).toThrow(/1 MiB/);
    // Fewer characters than the limit, more bytes.
    expect(() => checkRequest(url, { method: 'POST', body: 'é'.repeat(MAX_OUTBOUND_BODY_BYTES / 2 + 1) })).toThrow(
      expect.objectContaining({ code: 'invalid_request' }),
    );
  });

  it('the manifest schema checks scope.hosts', () => {
    const load = (scope: unknown) => () =>
      loadManifest(
        writeManifest(probeManifest('schema', { permissions: { commands: {}, 'http.outbound': scope as object } })),
      );
    expect(load({ hosts: ['api.example.com', '*.example.org:8443', '*'] })).not.toThrow();
    for (const bad of [
      { hosts: [''] },
      { hosts: 'api.example.com' },
      { hosts: [1] },
      { hosts: Array.from({ length: 51 }, (_, i) => `h${i}.test`) },
      { urls: [] },
    ]) {
      expect(load(bad), JSON.stringify(bad).slice(0, 80)).toThrow(
        expect.objectContaining({ code: 'manifest_invalid' }),
      );
    }
  });

  it('matches host patterns by name and port', () => {
    const allowed = (patterns: string[], url: string) => hostAllowed(patterns, new URL(url));
    expect(allowed(['api.example.com'], 'https://api.example.com:8443/x')).toBe(true);
    expect(allowed(['api.example.com:8443'], 'https://api.example.com:8443/x')).toBe(true);
    expect(allowed(['api.example.com:8443'], 'https://api.example.com/x')).toBe(false);
    expect(allowed(['api.example.com:443'], 'https://API.example.com/x')).toBe(true);
    expect(allowed(['api.example.com'], 'https://api.example.com.evil.test/')).toBe(false);
    expect(allowed(['*.example.com'], 'https://a.b.example.com/')).toBe(true);
    expect(allowed(['*.example.com'], 'https://example.com/')).toBe(false);
    expect(allowed(['*.example.com'], 'https://badexample.com/')).toBe(false);
    expect(allowed(['localhost:*'], 'http://localhost:1234/')).toBe(true);
    expect(allowed(['127.0.0.1:9000'], 'http://127.0.0.1:9001/')).toBe(false);
    expect(allowed(['[::1]:8080'], 'http://[::1]:8080/')).toBe(true);
    expect(allowed(['*'], 'https://anything.test:1/')).toBe(true);
    expect(allowed([], 'https://anything.test/')).toBe(false);
  });

  it('a sandboxed app can fetch, within its own scope', async () => {
    await waitForApp(host, 'fetcher-app');
    const room = await roomWith(host, user, ['fetcher-app']);
    const ok = await runOp(
      host,
      user,
      room.id,
      `fetch ${JSON.stringify([`${base()}/echo`, { method: 'POST', headers: { 'x-app': '1' }, body: 'from the app' }])}`,
    );
    expect(ok.value).toMatchObject({
      ok: true,
      value: { status: 201, headers: { 'x-reply': 'yes' }, body: 'got POST from the app' },
    });
    expect(received.at(-1)).toMatchObject({ headers: { 'x-app': '1' }, body: 'from the app' });
    const denied = await runOp(host, user, room.id, `fetch ${JSON.stringify([`http://127.0.0.1:${closed}/`])}`);
    expect(denied.value).toMatchObject({ ok: false, code: 'permission_denied', permission: 'http.outbound' });
    const failed = await runOp(host, user, room.id, `fetch ${JSON.stringify([`${base()}/hang`, { timeoutMs: 200 }])}`);
    expect(failed.value).toMatchObject({ ok: false, code: 'outbound_http_failed' });
  });
});
