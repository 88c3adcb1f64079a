/**
 * The permission vocabulary is written down in two places besides sdk/plugin/permissions.ts: the
 * manifest schema (which refuses a permission it does not list), and the permissions table of
 * docs/plugins.md. Each lists exactly PERMISSION_NAMES, so a new permission cannot be granted by
 * the host yet refused by the schema, or exist undocumented.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PERMISSION_NAMES } from '../sdk/plugin/permissions.js';
import { repoRoot } from './support/e2e.js';

const sorted = (names: Iterable<string>) => [...names].sort();

describe('the permission lists', () => {
  it('the manifest schema takes exactly the permissions the host grants', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'sdk/plugin/manifest-schema.json'), 'utf8'));
    expect(sorted(Object.keys(schema.properties.permissions.properties))).toEqual(sorted(PERMISSION_NAMES));
  });

  it('docs/plugins.md tabulates exactly those permissions', () => {
    const docs = readFileSync(join(repoRoot, 'docs/plugins.md'), 'utf8');
    const section = docs.slice(docs.indexOf('#### Permissions'), docs.indexOf('### Capability reference'));
    const rows = [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
    expect(sorted(rows)).toEqual(sorted(PERMISSION_NAMES));
  });
});
