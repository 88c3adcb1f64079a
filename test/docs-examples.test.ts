/**
 * What the docs show must work: the example config validates against the config schema (and
 * enables the shipped plugins), and every shipped manifest loads.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resolveConfig } from '../host/config/load-config.js';
import { loadManifest } from '../host/plugins/manifest-loader.js';
import { startTestHost } from './support/start-test-host.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

describe('documented examples', () => {
  it('docs/config.example.json is a valid host config', () => {
    const config = resolveConfig(JSON.parse(readFileSync(join(root, 'docs/config.example.json'), 'utf8')));
    expect(config.plugins.enabled.map((p) => p.id)).toEqual(
      expect.arrayContaining(['echo-bot', 'payments', 'poll', 'shop']),
    );
  });

  it('a host with the example config runs every plugin it enables', async () => {
    const example = JSON.parse(readFileSync(join(root, 'docs/config.example.json'), 'utf8'));
    const host = await startTestHost({
      config: { plugins: { ...example.plugins, manifestsDir: join(root, 'manifests') } },
    });
    try {
      const plugins = (await host.http('GET', '/v1/admin/plugins', { token: 'admin' })).body.plugins as {
        id: string;
        status: string;
        error: unknown;
      }[];
      expect(plugins.map((p) => [p.id, p.status, p.error])).toEqual(
        example.plugins.enabled.map((e: { id: string }) => [e.id, 'running', null]),
      );
    } finally {
      await host.stop();
    }
  });

  it('a config with a typo is refused, naming the field (so the check above can fail)', () => {
    expect(() => resolveConfig({ websocket: { maxPayloadByte: 1 } })).toThrow(/\/websocket\/maxPayloadByte/);
  });

  it('every manifest in manifests/ loads and names an entry that exists', () => {
    const files = readdirSync(join(root, 'manifests')).filter((f) => f.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const { manifest, entryFile } = loadManifest(join(root, 'manifests', file));
      expect(`${manifest.id}.json`).toBe(file);
      expect(() => readFileSync(entryFile)).not.toThrow();
    }
  });
});
