/**
 * Untrusted code never runs in the host process: a manifest with runtime "sandbox" is refused
 * (until the isolate runtime exists) without its entry ever being imported, and the host and
 * its trusted plugins carry on.
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

  it('refuses a sandboxed app without importing its code', async () => {
    const plugins = (await host.http('GET', '/v1/admin/plugins', { token: 'admin' })).body.plugins;
    const app = plugins.find((p: any) => p.id === 'sandboxed-app');
    expect(app).toMatchObject({ status: 'failed', botUserId: null, error: { code: 'plugin_start_failed' } });
    expect(app.error.message).toContain('sandboxed runtime');
    expect(existsSync(marker)).toBe(false);
    expect(plugins.find((p: any) => p.id === 'echo-bot')).toMatchObject({ status: 'running' });
  });

  it('will not enable it at run time either', async () => {
    const res = await host.http('POST', '/v1/admin/plugins/sandboxed-app/enable', { token: 'admin' });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('invalid_operation');
    expect(existsSync(marker)).toBe(false);
  });
});
