/**
 * The request log (issue 14, observability): every HTTP answer and WebSocket upgrade carries a
 * request id, error bodies repeat it, and the host logs one line per request under it, so an
 * operator finds what a user reports. Readiness failures are logged once per outage, not at error
 * per probe. Logs are captured from a real pino logger handed to the host (HostOptions.logger);
 * the pretty and JSON formats are log-format.test.ts's.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { InProcessEventBus } from '../host/bus/in-process-event-bus.js';
import { capturedLogger } from './support/captured-logger.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';
import { refusedUpgrade, repoRoot } from './support/e2e.js';
import { enable } from './support/plugin-helpers.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe('request ids and the request log', () => {
  const captured = capturedLogger();
  let busConnected = true;
  let host: TestHost;
  let user: TestUser;
  const requestLines = (requestId: string) =>
    captured.lines.filter((l) => l.msg === 'request' && l.requestId === requestId);

  beforeAll(async () => {
    host = await startTestHost({
      logger: captured.logger,
      // The in-process bus, reporting itself as connected or not as the readiness test says.
      eventBus: (log) => Object.assign(new InProcessEventBus(log), { isConnected: () => busConnected }),
      config: {
        plugins: {
          enabled: [
            enable({
              id: 'refusals',
              name: 'Refusals',
              version: '1.0.0',
              description: 'Throws from a route.',
              author: { name: 'Switchboard tests' },
              engine: '^1.0.0',
              runtime: 'trusted',
              entry: join(repoRoot, 'test/fixtures/plugins/refusals/index.ts'),
              permissions: { commands: {}, interactive: {}, 'http.routes': {} },
              contributes: {
                commands: [
                  { name: 'refuse', description: 'Throws.', arguments: [{ name: 'how', type: 'string' }] },
                  { name: 'card', description: 'Sends a card.' },
                ],
                routes: [{ method: 'POST', path: '/refuse/:how', auth: 'user' }],
                services: [{ name: 'refuse', description: 'Throws.' }],
              },
            }),
          ],
        },
      },
    });
    user = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('every answer carries an X-Request-Id, and an error body repeats it', async () => {
    const ok = await host.http('GET', '/healthz');
    expect(ok.headers.get('x-request-id')).toMatch(UUID);
    const refused = await host.http('GET', '/v1/me');
    expect(refused.status).toBe(401);
    const id = refused.headers.get('x-request-id');
    expect(id).toMatch(UUID);
    expect(id).not.toBe(ok.headers.get('x-request-id'));
    expect(refused.body.error).toMatchObject({ code: 'unauthenticated', requestId: id });
    const unknown = await host.http('GET', '/v1/nowhere', { token: user.token });
    expect(unknown.body.error).toMatchObject({
      code: 'route_not_found',
      requestId: unknown.headers.get('x-request-id'),
    });
  });

  it('a short, safe incoming id is kept; any other is replaced by a fresh one', async () => {
    const kept = await host.http('GET', '/v1/me', { headers: { 'x-request-id': 'lb-7f3a.9_Z' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-7f3a.9_Z');
    expect(kept.body.error.requestId).toBe('lb-7f3a.9_Z');
    for (const unsafe of ['has space', 'x'.repeat(65), '<script>', 'a"b', 'line\tbreak', 'id;drop']) {
      const res = await host.http('GET', '/v1/me', { headers: { 'x-request-id': unsafe } });
      expect(res.headers.get('x-request-id'), unsafe).toMatch(UUID);
      expect(res.body.error.requestId, unsafe).toBe(res.headers.get('x-request-id'));
    }
    expect(captured.text()).not.toContain('<script>');
  });

  it('logs one line per request: method, path without the query, status, duration, id and user; no token', async () => {
    const room = await host.createGroup(user, [], 'Logged');
    const id = 'history-1';
    const res = await host.http('GET', `/v1/conversations/${room.id}/messages?limit=5&secret=hunter2`, {
      token: user.token,
      headers: { 'x-request-id': id },
    });
    expect(res.status).toBe(200);
    const lines = await eventually(() => requestLines(id).length === 1 && requestLines(id));
    expect(lines[0]).toMatchObject({
      level: 30,
      method: 'GET',
      path: `/v1/conversations/${room.id}/messages`,
      status: 200,
      userId: user.id,
    });
    expect(lines[0].ms).toBeGreaterThanOrEqual(0);
    const log = captured.text();
    expect(log).not.toContain('hunter2');
    expect(log).not.toContain(user.token);
    expect(log).not.toContain(user.password);
  });

  it('a user error is one info line under its id, not an error', async () => {
    const res = await host.http('POST', '/v1/conversations', {
      token: user.token,
      headers: { 'x-request-id': 'bad-body-1' },
      body: { title: 'x', unknownField: true },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.requestId).toBe('bad-body-1');
    await eventually(() => requestLines('bad-body-1').length === 1);
    expect(requestLines('bad-body-1')[0]).toMatchObject({ level: 30, status: 400, userId: user.id });
    expect(captured.lines.filter((l) => l.requestId === 'bad-body-1' && l.level >= 50)).toEqual([]);
  });

  it('a system error is logged at error with the request id the user sees', async () => {
    const res = await host.http('POST', '/plugins/refusals/refuse/plain', { token: user.token, body: {} });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('plugin_failed');
    const id = res.body.error.requestId as string;
    expect(id).toBe(res.headers.get('x-request-id'));
    const failure = await eventually(() =>
      captured.lines.find((l) => l.msg === 'request failed' && l.requestId === id),
    );
    expect(failure).toMatchObject({
      level: 50,
      method: 'POST',
      path: '/plugins/refusals/refuse/plain',
      userId: user.id,
    });
    expect(requestLines(id)).toEqual([expect.objectContaining({ status: 502 })]);
  });

  it("a plugin's own refusal carries the request id too", async () => {
    const res = await host.http('POST', '/plugins/refusals/refuse/plugin', { token: user.token, body: {} });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: 'out_of_stock', requestId: res.headers.get('x-request-id') });
  });

  it('/readyz failing is one warning per outage and one line when it ends, never an error per probe', async () => {
    const before = captured.lines.length;
    busConnected = false;
    for (let i = 0; i < 3; i++) {
      const probe = await host.http('GET', '/readyz');
      expect(probe.status).toBe(503);
      expect(probe.body.error).toMatchObject({ code: 'not_ready', requestId: probe.headers.get('x-request-id') });
    }
    busConnected = true;
    expect((await host.http('GET', '/readyz')).body).toEqual({ status: 'ready', bus: 'connected' });
    const during = captured.lines.slice(before);
    expect(during.filter((l) => l.level >= 50)).toEqual([]);
    expect(during.filter((l) => l.msg === 'not ready')).toEqual([
      expect.objectContaining({ level: 40, reason: 'the event bus (Redis) is unreachable' }),
    ]);
    expect(during.filter((l) => l.msg === 'ready again')).toHaveLength(1);
    // Probes are logged at debug: a load balancer polling every second must not flood the log at info.
    const probes = during.filter((l) => l.msg === 'request' && l.path === '/readyz');
    expect(probes.map((l) => [l.level, l.status])).toEqual([
      [20, 503],
      [20, 503],
      [20, 503],
      [20, 200],
    ]);
  });

  it('a WebSocket upgrade gets an id, logged with the session on connect and close', async () => {
    const ws = new WebSocket(host.wsUrl, {
      headers: { authorization: `Bearer ${user.token}`, 'x-request-id': 'ws-upgrade-1' },
    });
    const answered = new Promise<unknown>((res) => ws.once('upgrade', (r) => res(r.headers['x-request-id'])));
    const ready = new Promise<any>((res) =>
      ws.on('message', (data: Buffer) => {
        const frame = JSON.parse(data.toString());
        if (frame.type === 'ready') res(frame);
      }),
    );
    expect(await answered).toBe('ws-upgrade-1');
    const { sessionId } = await ready;
    const connected = await eventually(() =>
      captured.lines.find((l) => l.msg === 'websocket connected' && l.requestId === 'ws-upgrade-1'),
    );
    expect(connected).toMatchObject({ level: 30, sessionId, userId: user.id });
    ws.close(1000);
    const closed = await eventually(() =>
      captured.lines.find((l) => l.msg === 'websocket closed' && l.sessionId === sessionId),
    );
    expect(closed).toMatchObject({ level: 30, userId: user.id, code: 1000 });
    expect(captured.text()).not.toContain(user.token);
  });

  it('a refused upgrade answers with its id in the header and the body', async () => {
    const refused = await refusedUpgrade(host.wsUrl, { authorization: 'Bearer nope', 'x-request-id': 'ws-refused-1' });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatchObject({ code: 'unauthenticated', requestId: 'ws-refused-1' });
    await eventually(() =>
      captured.lines.some((l) => l.msg === 'websocket refused' && l.requestId === 'ws-refused-1' && l.status === 401),
    );
  });
});
