/** docs/payments.md lists every payments error code with its HTTP status, and every route the manifest declares. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PAYMENT_ERRORS } from '../plugins/payments/payment-error.js';
import { repoRoot } from './support/e2e.js';

const doc = readFileSync(`${repoRoot}/docs/payments.md`, 'utf8');
const manifest = JSON.parse(readFileSync(`${repoRoot}/manifests/payments.json`, 'utf8'));

describe('docs/payments.md', () => {
  it('is checked against the real lists (so the tests below can fail)', () => {
    expect(Object.keys(PAYMENT_ERRORS).length).toBeGreaterThan(10);
    expect(manifest.contributes.routes.length).toBeGreaterThan(5);
  });

  it.each(Object.entries(PAYMENT_ERRORS))('documents `%s` with its status', (code, spec) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${spec.status} \\|`));
  });

  it.each((manifest.contributes.routes as { method: string; path: string }[]).map((r) => [r.method, r.path]))(
    'documents %s %s',
    (method, path) => {
      expect(doc).toContain(`${method} ${path}`);
    },
  );
});
