/**
 * The operator narrows what a manifest requests: lists keep what both name, and a requested
 * pattern ("*.preCheckout", a host "*") may be narrowed to the names it covers, never widened.
 */
import { describe, expect, it } from 'vitest';
import { computeGrants, coveredByWildcard, hostPatternCovered } from '../host/plugins/grants.js';
import type { PluginManifest } from '../sdk/plugin/manifest.js';

const manifest = (permissions: PluginManifest['permissions']): PluginManifest => ({
  id: 'grantee',
  name: 'Grantee',
  version: '1.0.0',
  description: 'd',
  author: 'a',
  engine: '^1.0.0',
  runtime: 'trusted',
  entry: 'x.ts',
  permissions,
});

describe('operator grants', () => {
  it('narrows a requested "*.name" service to named plugins, and nothing else', () => {
    const grants = computeGrants(manifest({ 'services.call': { services: ['*.preCheckout', 'payments.request'] } }), {
      'services.call': { services: ['shop.preCheckout', 'payments.request', 'shop.refund', '*.other'] },
    });
    expect(grants.granted.get('services.call')).toEqual({ services: ['payments.request', 'shop.preCheckout'] });
    expect(coveredByWildcard(['*.preCheckout'], 'shop.preCheckout')).toBe(true);
    expect(coveredByWildcard(['*.preCheckout'], 'shop.preCheckoutX')).toBe(false);
    expect(coveredByWildcard(['*.preCheckout'], '.preCheckout')).toBe(false);
    expect(coveredByWildcard(['*.preCheckout'], 'a.b.preCheckout')).toBe(false);
  });

  it('narrows requested hosts to the patterns they cover', () => {
    const grants = computeGrants(manifest({ 'http.outbound': { hosts: ['*'] } }), {
      'http.outbound': { hosts: ['*.example.com', '127.0.0.1:8080'] },
    });
    expect(grants.granted.get('http.outbound')).toEqual({ hosts: ['*.example.com', '127.0.0.1:8080'] });
    const narrow = computeGrants(manifest({ 'http.outbound': { hosts: ['*.example.com', 'api.test:443'] } }), {
      'http.outbound': { hosts: ['hooks.example.com', 'example.com', 'api.test:443', 'api.test:80', 'evil.test'] },
    });
    expect(narrow.granted.get('http.outbound')).toEqual({ hosts: ['api.test:443', 'hooks.example.com'] });
    expect(hostPatternCovered(['api.test'], 'api.test:8443')).toBe(true);
    expect(hostPatternCovered(['api.test:443'], 'api.test')).toBe(false);
    expect(hostPatternCovered(['localhost:*'], 'localhost:9000')).toBe(true);
  });
});
