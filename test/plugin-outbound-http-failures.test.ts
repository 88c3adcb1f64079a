/**
 * Outbound HTTP (ctx.http.fetch), when things go wrong: failures of the exchange (deadline,
 * refused connection, oversize answer) are outbound_http_failed; malformed input and request
 * bodies over 1 MiB are invalid_request, with nothing sent.
 */
import { describe, expect, it } from 'vitest';
import { MAX_OUTBOUND_BODY_BYTES, sendRequest } from '../host/outbound/outbound-exchange.js';
import { checkRequest } from '../host/plugins/capabilities/fetch-request-rules.js';
import { expectFailed, useOutboundHttpHost } from './support/outbound-http-helpers.js';

describe('outbound HTTP', () => {
  const t = useOutboundHttpHost();
  const { fetchAs, base } = t;

  it('a server that does not answer in time is outbound_http_failed, within the deadline', async () => {
    for (const path of ['/hang', '/trickle']) {
      // The outcome is the proof, not the clock: a fetch that ignored its 300 ms deadline would
      // still be waiting when the host gives up on the command (plugin_timeout after 5 s), and
      // the probe would throw that instead of answering outbound_http_failed naming 300 ms.
      const { outcome } = await fetchAs('fetcher', `${base()}${path}`, { timeoutMs: 300 });
      expectFailed(outcome, 'outbound_http_failed', new RegExp(`127\\.0\\.0\\.1:${t.port}.*300 ms`));
    }
  });

  it('a refused connection is outbound_http_failed naming the host and the cause', async () => {
    const { outcome } = await fetchAs('anyport', `http://127.0.0.1:${t.closed}/`);
    expectFailed(outcome, 'outbound_http_failed', new RegExp(`127\\.0\\.0\\.1:${t.closed}.*ECONNREFUSED`));
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
      [`http://user:pw@127.0.0.1:${t.port}/echo`, undefined],
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
    expect((await t.probes.anyhost!('http.fetch', 42)).ok === false).toBe(true);
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
});
