/**
 * Outbound HTTP (ctx.http.fetch, permission http.outbound), the exchange itself: requests reach a
 * real local server exactly as sent and its answer comes back; every call is audited by method and
 * host only; redirects are returned, not followed; a sandboxed app has the same capability.
 */
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import {
  auditOf,
  enable,
  probeManifest,
  prober,
  roomWith,
  type Probe,
  type ProbeOutcome,
} from './support/plugin-helpers.js';
import { appManifest, runOp, waitForApp } from './support/sandbox-helpers.js';
import { closedPort, FETCHER_APP, outbound, startReceiver, type Received } from './support/outbound-http-helpers.js';

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

  it('does not follow redirects: a 302 comes back as a 302', async () => {
    const { outcome, arrived } = await fetchAs('fetcher', `${base()}/redirect`);
    expect(outcome).toMatchObject({ ok: true, value: { status: 302, headers: { location: '/echo' }, body: '' } });
    expect(arrived).toBe(1);
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
