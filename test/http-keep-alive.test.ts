/**
 * Idle HTTP connections stay open for server.keepAliveTimeoutMs (72 s unless configured), longer
 * than the idle timeout of the proxies put in front of hosts (60 s on many), so the proxy closes
 * them first: a host closing one as the proxy sends the next request on it fails that request.
 * Node's own default was 5 s.
 */
import { once } from 'node:events';
import { Agent, request, type IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';

/** GET /healthz on a keep-alive connection: the Keep-Alive header and the connection's socket. */
async function healthz(url: string, agent: Agent): Promise<{ keepAlive: string | undefined; socket: Socket }> {
  const req = request(`${url}/healthz`, { agent });
  req.end();
  const [res] = (await once(req, 'response')) as [IncomingMessage];
  res.resume();
  await once(res, 'end');
  return { keepAlive: res.headers['keep-alive'] as string | undefined, socket: req.socket as Socket };
}

describe('HTTP keep-alive', () => {
  let host: TestHost | undefined;
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  afterEach(async () => {
    agent.destroy();
    await host?.stop();
    host = undefined;
  });

  it('keeps idle connections 72 s by default, longer than the proxies in front', async () => {
    host = await startTestHost();
    const first = await healthz(host.url, agent);
    expect(first.keepAlive).toBe('timeout=72');
    // The next request goes on the same connection.
    const second = await healthz(host.url, agent);
    expect(second.socket).toBe(first.socket);
  });

  it('closes an idle connection after server.keepAliveTimeoutMs', async () => {
    host = await startTestHost({ config: { server: { keepAliveTimeoutMs: 1000 } } });
    const { keepAlive, socket } = await healthz(host.url, agent);
    expect(keepAlive).toBe('timeout=1');
    // The host, not the client, ends it once idle that long.
    await once(socket, 'close');
  });
});
