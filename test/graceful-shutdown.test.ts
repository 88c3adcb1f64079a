/**
 * Stopping a host: it takes no new work, lets requests already running finish within
 * server.shutdownGraceMs, cuts off what is still running after that, and then stops.
 */
import { describe, expect, it } from 'vitest';
import { startTestHost } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import { enable } from './support/plugin-helpers.js';

const slowRoutes = enable({
  id: 'slow-routes', name: 'Slow routes', version: '1.0.0', description: 'A test fixture with a slow HTTP route.',
  author: 'Switchboard tests', engine: '^1.0.0', runtime: 'trusted', entry: `${repoRoot}/test/fixtures/plugins/http-routes/index.ts`,
  permissions: { 'http.routes': {} }, contributes: { routes: [{ method: 'GET', path: '/slow', auth: 'none' }] },
}, { settings: { skip: [], extra: [] } });

async function hostWithGrace(shutdownGraceMs: number) {
  return startTestHost({ config: { server: { shutdownGraceMs }, plugins: { enabled: [slowRoutes] } } });
}

describe('graceful shutdown', () => {
  it('lets a request in flight finish within the grace period, then refuses new connections', async () => {
    const host = await hostWithGrace(5_000);
    const url = host.url;
    try {
      const inFlight = fetch(`${url}/plugins/slow-routes/slow?ms=400`).then(async (r) => ({ status: r.status, body: await r.json() }));
      await new Promise((r) => setTimeout(r, 100));
      const stopped = host.stopHostOnly();
      expect(await inFlight).toEqual({ status: 200, body: { slept: true } });
      await stopped;
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      await host.stop();
    }
  });

  it('cuts off a request still running when the grace period ends, and stops', async () => {
    const host = await hostWithGrace(200);
    const url = host.url;
    try {
      const inFlight = fetch(`${url}/plugins/slow-routes/slow?ms=8000`).then((r) => r.status, () => 'cut off');
      await new Promise((r) => setTimeout(r, 100));
      await host.stopHostOnly();
      expect(await inFlight).toBe('cut off');
    } finally {
      await host.stop();
    }
  });
});
