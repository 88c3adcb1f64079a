/**
 * Stopping a host: it takes no new work, lets requests and WebSocket frames already running finish
 * within server.shutdownGraceMs (a send taken is acknowledged before its socket closes with 1001),
 * cuts off what is still running after that, and then stops.
 * The tests wait until the request has reached its handler (the fixture says so), never for a
 * guessed time.
 */
import { describe, expect, it } from 'vitest';
import { startTestHost } from './support/start-test-host.js';
import { connect } from './support/test-client.js';
import { repoRoot } from './support/e2e.js';
import { enable } from './support/plugin-helpers.js';
import { heldRoutes } from './fixtures/plugins/held-route/index.js';
import { heldHook, heldHookPlugin } from './support/held-hook-plugin.js';

const heldRoute = enable({
  id: 'held-route',
  name: 'Held route',
  version: '1.0.0',
  description: 'A test fixture with a route that answers when the test lets it.',
  author: 'Switchboard tests',
  engine: '^1.0.0',
  runtime: 'trusted',
  entry: `${repoRoot}/test/fixtures/plugins/held-route/index.ts`,
  permissions: { 'http.routes': {} },
  contributes: { routes: [{ method: 'GET', path: '/held', auth: 'none' }] },
});

async function hostWithGrace(shutdownGraceMs: number) {
  return startTestHost({ config: { server: { shutdownGraceMs }, plugins: { enabled: [heldRoute] } } });
}

describe('graceful shutdown', () => {
  it('lets a request in flight finish within the grace period, then refuses new connections', async () => {
    const host = await hostWithGrace(60_000);
    const url = host.url;
    try {
      const entered = heldRoutes.entered();
      const inFlight = fetch(`${url}/plugins/held-route/held`).then(async (r) => ({
        status: r.status,
        body: await r.json(),
      }));
      await entered;
      const stopped = host.stopHostOnly();
      // Stopping has begun (no new connections) while the request is still held.
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
      heldRoutes.releaseAll();
      expect(await inFlight).toEqual({ status: 200, body: { released: true } });
      await stopped;
    } finally {
      heldRoutes.releaseAll();
      await host.stop();
    }
  });

  it('cuts off a request still running when the grace period ends, and stops', async () => {
    const host = await hostWithGrace(200);
    const url = host.url;
    try {
      const entered = heldRoutes.entered();
      const inFlight = fetch(`${url}/plugins/held-route/held`).then(
        (r) => r.status,
        () => 'cut off',
      );
      await entered;
      await host.stopHostOnly();
      expect(await inFlight).toBe('cut off');
    } finally {
      heldRoutes.releaseAll();
      await host.stop();
    }
  });

  it('answers a send it has taken before closing the socket with 1001, and refuses frames that come meanwhile', async () => {
    const host = await startTestHost({
      config: { server: { shutdownGraceMs: 60_000 }, plugins: { enabled: [heldHookPlugin()] } },
    });
    try {
      const [ada, bob] = [await host.createUser(), await host.createUser()];
      const room = await host.direct(ada, bob);
      // Opened apart from the test host's own clients, which it closes before stopping the host.
      const client = await connect(host.wsUrl, ada.token);
      const ack = client.waitFor((f) => f.replyTo === 'taken', 60_000);
      // The send reaches the store's hook and waits there: taken, not yet answered.
      const reached = heldHook.holdNext('text');
      client.sendRaw({
        type: 'send',
        id: 'taken',
        conversationId: room.id,
        clientMsgId: 'c-taken',
        content: { type: 'text', text: 'in flight' },
      });
      await reached;
      const stopped = host.stopHostOnly();
      // Stopping has begun: a frame sent now is refused, and the socket stays open for the answer.
      const refused = client.waitFor((f) => f.replyTo === 'late');
      client.sendRaw({ type: 'ping', id: 'late' });
      expect(await refused).toMatchObject({ type: 'error', error: { code: 'shutting_down' } });
      heldHook.release();
      expect(await ack).toMatchObject({ type: 'result', data: { message: { clientMsgId: 'c-taken' } } });
      expect(await client.closed).toEqual({ code: 1001, reason: 'shutting_down' });
      await stopped;
    } finally {
      heldHook.release();
      await host.stop();
    }
  });
});
