/**
 * Outbound HTTP (ctx.http.fetch, permission http.outbound), the exchange itself: requests reach a
 * real local server exactly as sent and its answer comes back; every call is audited by method and
 * host only; redirects are returned, not followed; a sandboxed app has the same capability.
 */
import { describe, expect, it } from 'vitest';
import { auditOf, roomWith } from './support/plugin-helpers.js';
import { runOp, waitForApp } from './support/sandbox-helpers.js';
import { useOutboundHttpHost } from './support/outbound-http-helpers.js';

describe('outbound HTTP', () => {
  const t = useOutboundHttpHost();
  const { fetchAs, base } = t;

  it('sends a POST exactly as given and returns status, headers and body', async () => {
    const body = JSON.stringify({ text: 'héllo ✓', n: 1 });
    const { outcome, arrived } = await fetchAs('fetcher', `${base()}/echo?q=1&r=two`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Signature': 'sig-123' },
      body,
      timeoutMs: 5000,
    });
    expect(arrived).toBe(1);
    const got = t.received.at(-1)!;
    expect(got).toMatchObject({ method: 'POST', url: '/echo?q=1&r=two', body });
    expect(got.headers).toMatchObject({
      'content-type': 'application/json',
      'x-signature': 'sig-123',
      'content-length': String(Buffer.byteLength(body)),
      'user-agent': expect.stringMatching(/^Switchboard\/\d+\.\d+\.\d+/),
      host: `127.0.0.1:${t.port}`,
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
    expect(t.received.at(-1)).toMatchObject({ method: 'GET', body: '', headers: { 'user-agent': 'webhooks/2' } });
    for (const method of ['PUT', 'PATCH', 'DELETE']) {
      expect((await fetchAs('fetcher', `${base()}/echo`, { method, body: 'x' })).outcome).toMatchObject({
        ok: true,
        value: { status: 201, body: `got ${method} x` },
      });
    }
  });

  it('audits method and host of every call sent, never the body or the path', async () => {
    await fetchAs('fetcher', `${base()}/echo?secret=s3cr3t`, { method: 'POST', body: 'private body' });
    const entries = await auditOf(t.host, 'fetcher');
    expect(entries[0]).toMatchObject({ capability: 'http', action: 'fetch', target: `POST 127.0.0.1:${t.port}` });
    expect(JSON.stringify(entries)).not.toMatch(/private body|s3cr3t|echo/);
  });

  it('does not follow redirects: a 302 comes back as a 302', async () => {
    const { outcome, arrived } = await fetchAs('fetcher', `${base()}/redirect`);
    expect(outcome).toMatchObject({ ok: true, value: { status: 302, headers: { location: '/echo' }, body: '' } });
    expect(arrived).toBe(1);
  });

  it('a sandboxed app can fetch, within its own scope', async () => {
    await waitForApp(t.host, 'fetcher-app');
    const room = await roomWith(t.host, t.user, ['fetcher-app']);
    const ok = await runOp(
      t.host,
      t.user,
      room.id,
      `fetch ${JSON.stringify([`${base()}/echo`, { method: 'POST', headers: { 'x-app': '1' }, body: 'from the app' }])}`,
    );
    expect(ok.value).toMatchObject({
      ok: true,
      value: { status: 201, headers: { 'x-reply': 'yes' }, body: 'got POST from the app' },
    });
    expect(t.received.at(-1)).toMatchObject({ headers: { 'x-app': '1' }, body: 'from the app' });
    const denied = await runOp(t.host, t.user, room.id, `fetch ${JSON.stringify([`http://127.0.0.1:${t.closed}/`])}`);
    expect(denied.value).toMatchObject({ ok: false, code: 'permission_denied', permission: 'http.outbound' });
    const failed = await runOp(
      t.host,
      t.user,
      room.id,
      `fetch ${JSON.stringify([`${base()}/hang`, { timeoutMs: 200 }])}`,
    );
    expect(failed.value).toMatchObject({ ok: false, code: 'outbound_http_failed' });
  });
});
