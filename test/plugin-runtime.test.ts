/**
 * Untrusted code never runs in the host process: a sandboxed app's entry is bundled and run in
 * an isolate, never imported. An app that reaches for Node (here node:fs) is refused when it is
 * bundled, and the host and its trusted plugins carry on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestHost, type TestHost } from './support/start-test-host.js';

const marker = join(mkdtempSync(join(tmpdir(), 'switchboard-sandbox-')), 'imported');

describe('plugin runtimes', () => {
  let host: TestHost;
  beforeAll(async () => {
    process.env.SWITCHBOARD_SANDBOX_MARKER = marker;
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            { path: fileURLToPath(new URL('./fixtures/plugins/sandboxed/manifest.json', import.meta.url)) },
            { id: 'echo-bot' },
          ],
        },
      },
    });
  });
  afterAll(async () => {
    delete process.env.SWITCHBOARD_SANDBOX_MARKER;
    await host?.stop();
  });

  it('refuses a sandboxed app that imports a Node built-in, without importing its code', async () => {
    const plugins = (await host.http('GET', '/v1/admin/plugins', { token: 'admin' })).body.plugins;
    const app = plugins.find((p: any) => p.id === 'sandboxed-app');
    expect(app).toMatchObject({ status: 'failed', error: { code: 'plugin_start_failed' } });
    expect(app.error.message).toContain('node:fs');
    expect(existsSync(marker)).toBe(false);
    expect(plugins.find((p: any) => p.id === 'echo-bot')).toMatchObject({ status: 'running' });
  });

  it('refuses it again when enabled at run time, still without importing it', async () => {
    const res = await host.http('POST', '/v1/admin/plugins/sandboxed-app/enable', { token: 'admin' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: 'failed',
      error: { code: 'plugin_start_failed', message: expect.stringContaining('node:fs') },
    });
    expect(existsSync(marker)).toBe(false);
  });
});
