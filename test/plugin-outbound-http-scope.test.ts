/**
 * Outbound HTTP (permission http.outbound), who may reach what: hosts and ports outside
 * scope.hosts are refused before anything is sent; "*." and port-less patterns; "*" never reaches
 * a private address (NAT64 and 6to4 forms included); the operator can narrow or refuse the grant;
 * the manifest schema checks scope.hosts, and host patterns match by name and port.
 */
import { describe, expect, it } from 'vitest';
import { auditOf, expectDenied, probeManifest, writeManifest } from './support/plugin-helpers.js';
import { hostAllowed } from '../host/plugins/capabilities/fetch-request-rules.js';
import { loadManifest } from '../host/plugins/manifest-loader.js';
import { expectFailed, useOutboundHttpHost } from './support/outbound-http-helpers.js';

describe('outbound HTTP', () => {
  const t = useOutboundHttpHost();
  const { fetchAs, base } = t;

  it('refuses hosts and ports outside scope.hosts with PermissionDeniedError, sending nothing', async () => {
    for (const url of [
      `http://127.0.0.1:${t.closed}/echo`,
      `http://localhost:${t.port}/echo`,
      'https://example.test/',
      'http://evil.test/x',
    ]) {
      const { outcome, arrived } = await fetchAs('fetcher', url);
      expectDenied(outcome, 'http.outbound');
      expect(outcome.ok === false && outcome.message, url).toContain('matches no pattern in scope.hosts');
      expect(outcome.ok === false && outcome.message, url).toContain('Widen its scope in the manifest');
      expect(arrived).toBe(0);
    }
    expect(await auditOf(t.host, 'fetcher')).not.toContainEqual(
      expect.objectContaining({ target: expect.stringContaining('evil') }),
    );
  });

  it('a "*." pattern admits subdomains (this one does not resolve, so the exchange fails)', async () => {
    const { outcome } = await fetchAs('fetcher', 'http://api.example.test/', { timeoutMs: 3000 });
    expectFailed(outcome, 'outbound_http_failed', /api\.example\.test/);
  });

  it('a pattern without a t.port admits every t.port; "*" admits every public t.host, never a private one', async () => {
    expect((await fetchAs('anyport', `${base()}/echo`)).outcome).toMatchObject({ ok: true, value: { status: 201 } });
    expectFailed((await fetchAs('anyport', `http://127.0.0.1:${t.closed}/`)).outcome, 'outbound_http_failed');
    expectDenied((await fetchAs('anyport', `http://localhost:${t.port}/`)).outcome, 'http.outbound');
    // A wildcard is for the internet: loopback must be named, by address or by a name resolving to it.
    const direct = await fetchAs('anyhost', `${base()}/echo`);
    expectDenied(direct.outcome, 'http.outbound');
    expect(direct.outcome.ok === false && direct.outcome.message).toContain('private address');
    const byName = await fetchAs('anyhost', `http://localhost:${t.port}/echo`);
    expectFailed(byName.outcome, 'outbound_http_failed', /private address/);
    expect(byName.arrived + direct.arrived).toBe(0);
  });

  it('a wildcard does not reach a NAT64 or 6to4 address that embeds a private one', async () => {
    for (const literal of ['[64:ff9b::a00:1]', '[2002:7f00:1::]', `[::ffff:127.0.0.1]:${t.port}`]) {
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
});
