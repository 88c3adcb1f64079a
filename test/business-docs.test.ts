/** docs/business.md lists every business error code with its status, and every route the manifest declares. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BUSINESS_ERRORS } from '../plugins/business/business-error.js';
import { repoRoot } from './support/e2e.js';

const doc = readFileSync(`${repoRoot}/docs/business.md`, 'utf8');
const manifest = JSON.parse(readFileSync(`${repoRoot}/manifests/business.json`, 'utf8'));

describe('docs/business.md', () => {
  it('is checked against the real lists (so the tests below can fail)', () => {
    expect(Object.keys(BUSINESS_ERRORS).length).toBeGreaterThan(5);
    expect(manifest.contributes.routes.length).toBeGreaterThan(5);
    expect(doc).not.toMatch(/\| `no_such_code` \|/);
  });

  it.each(Object.entries(BUSINESS_ERRORS))('documents `%s` with its status', (code, spec) => {
    expect(doc).toMatch(new RegExp(`\\| \`${code}\` \\| ${spec.status} \\|`));
  });

  it.each((manifest.contributes.routes as { method: string; path: string }[]).map((r) => [r.method, r.path]))(
    'documents %s %s',
    (method, path) => {
      expect(doc).toMatch(new RegExp(`\`${method} ${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}(\\?[^\`]*)?\``));
    },
  );
});
