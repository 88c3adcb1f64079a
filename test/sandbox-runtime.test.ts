/**
 * Sandboxed apps get the same capability API as trusted plugins: hooks, events, postbacks, HTTP
 * routes, scheduled jobs and services all reach code in the isolate, with the same checks. And
 * the supervision around them: limits from the manifest capped by the operator, the send rate,
 * start failures, the circuit breaker, and what operators see (the per-worker memory cap is in
 * sandbox-blame.test.ts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory, repoRoot } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { enable, listPlugins, pluginLogs, roomWith, runCommand } from './support/plugin-helpers.js';
import { appHealth, appManifest, runOp, waitForApp } from './support/sandbox-helpers.js';

const CAPABLE_ENTRY = `${repoRoot}/test/fixtures/apps/capable/index.ts`;
const CALLER_ENTRY = `${repoRoot}/test/fixtures/plugins/svc-caller/index.ts`;
const SPINNER_ENTRY = `${repoRoot}/test/fixtures/apps/spinner/index.ts`;

function capableManifest(id: string, limits?: Record<string, number>) {
  const m = appManifest(id, {
    entry: CAPABLE_ENTRY,
    limits,
    permissions: {
      commands: {},
      storage: {},
      'messages.send': {},
      'messages.read': {},
      hooks: {},
      events: { events: ['message.created'] },
      interactive: {},
      'http.routes': {},
      scheduler: {},
    },
  });
  (m.contributes as Record<string, unknown>).hooks = [
    { point: 'message.beforeStore', failMode: 'open', timeoutMs: 1000 },
  ];
  (m.contributes as Record<string, unknown>).routes = [{ method: 'GET', path: '/status', auth: 'user' }];
  (m.contributes as Record<string, unknown>).services = [{ name: 'double', description: 'Doubles n.' }];
  return m;
}

describe('sandboxed app runtime', () => {
  let host: TestHost;
  let user: TestUser;
  let room: any;
  const send = (text: string, clientMsgId = `m-${Math.random()}`) =>
    host.http('POST', `/v1/conversations/${room.id}/messages`, {
      token: user.token,
      body: { clientMsgId, content: { type: 'text', text } },
    });

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        sandbox: { workers: 1, maxLimits: { memoryMb: 24, sendsPerMinute: 5 } },
        plugins: {
          enabled: [
            enable(capableManifest('capable', { memoryMb: 64, sendsPerMinute: 100, cpuMsPerEvent: 300 })),
            enable(
              {
                id: 'svc-caller',
                name: 'Caller',
                version: '1.0.0',
                description: 'Calls the app service.',
                author: 'tests',
                engine: '^1.0.0',
                runtime: 'trusted',
                entry: CALLER_ENTRY,
                permissions: { commands: {}, 'services.call': { services: ['capable.double'] } },
                contributes: {
                  commands: [
                    {
                      name: 'svc',
                      description: 'x',
                      arguments: [
                        { name: 'op', required: true, type: 'string' },
                        { name: 'args', type: 'rest' },
                      ],
                    },
                  ],
                },
              },
              { settings: { command: 'svc' } },
            ),
          ],
        },
      },
    });
    user = await host.createUser();
    room = await roomWith(host, user, ['capable', 'svc-caller']);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('caps what the manifest asks for at the operator maximum', async () => {
    const health = await waitForApp(host, 'capable');
    expect(health.limits).toMatchObject({ memoryMb: 24, sendsPerMinute: 5, cpuMsPerEvent: 300, eventTimeoutMs: 5000 });
    expect(health.heapLimitBytes).toBe(24 * 1_048_576);
  });

  it('runs the app hook before messages are stored: modify and reject', async () => {
    expect((await send('please shout this')).body.message.content.text).toBe('PLEASE SHOUT THIS');
    const refused = await send('this is forbidden');
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'message_rejected',
      message: expect.stringContaining('the app says no'),
    });
  });

  it('delivers events to the app', async () => {
    const sent = (await send('an ordinary message')).body.message;
    await eventually(async () => (await runOp(host, user, room.id, 'last-event')).value === sent.id, {
      intervalMs: 20,
      what: 'the app to see the event',
    });
    // The event's stable id crossed the sandbox boundary with it (apps dedupe on it, as plugins do).
    expect((await runOp(host, user, room.id, 'last-event-id')).value).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('sends interactive cards and answers their postbacks', async () => {
    const messageId = (await runOp(host, user, room.id, 'card')).value;
    const tap = await host.http('POST', `/v1/conversations/${room.id}/postbacks`, {
      token: user.token,
      body: { messageId, buttonId: 'b' },
    });
    expect(tap.status, JSON.stringify(tap.body)).toBe(200);
    expect(tap.body.reply.text).toBe(`tapped b on ${messageId}`);
  });

  it('serves its HTTP routes with the host doing the auth', async () => {
    const ok = await host.http('GET', '/plugins/capable/status?x=1', { token: user.token });
    expect(ok.body).toEqual({ app: 'capable', user: user.id, query: { x: '1' } });
    expect((await host.http('GET', '/plugins/capable/status')).status).toBe(401);
  });

  it('runs its scheduled jobs', async () => {
    expect((await runOp(host, user, room.id, 'schedule 0')).value).toMatchObject({ name: 'tick' });
    const ticked = await eventually(async () => (await runOp(host, user, room.id, 'ticked')).value, {
      intervalMs: 20,
      what: 'the job to run',
    });
    expect(ticked).toEqual({ payload: { n: 1 }, attempt: 1 });
  });

  it('offers services that trusted plugins call, with the caller named by the host', async () => {
    const res = await runCommand(host, user, room.id, `/svc call ${JSON.stringify(['capable.double', { n: 21 }])}`);
    expect(JSON.parse(res.body.reply.text)).toMatchObject({
      ok: true,
      value: { output: { doubled: 42, caller: 'svc-caller' } },
    });
  });

  it('limits its sends per minute', async () => {
    const before = (await fullHistory(host.url, user.token, room.id)).length;
    const { value } = await runOp(host, user, room.id, 'spam 20');
    expect(value.refused).toBe('sandbox_limit');
    expect(value.sent).toBeLessThanOrEqual(5);
    // The card sent earlier took one of the five.
    expect(value.sent).toBe(4);
    expect((await fullHistory(host.url, user.token, room.id)).length - before).toBe(value.sent);
  });

  it("keeps an event's log lines in order, more of them than one entry sends one-way", async () => {
    expect((await runOp(host, user, room.id, 'chatty 150')).value).toBe(150);
    const lines = (await pluginLogs(host, 'capable')).map((l) => l.message).filter((m) => m.startsWith('chatty '));
    expect(lines).toEqual(Array.from({ length: 150 }, (_, i) => `chatty ${i}`));
  });

  it('answers each of many calls in flight at once with its own result', async () => {
    const { value } = await runOp(host, user, room.id, 'fanout 60');
    expect(value).toEqual(Array.from({ length: 60 }, (_, i) => i * 7));
  });

  it("keeps the app's log lines for operators, and reports its health", async () => {
    expect((await pluginLogs(host, 'capable')).map((l) => l.message)).toContain('capable app starting');
    const health = await appHealth(host, 'capable');
    expect(health).toMatchObject({ id: 'capable', state: 'running', restarts: 0, workerPid: expect.any(Number) });
    expect(health.events).toBeGreaterThan(5);
    expect(health.heapUsedBytes).toBeGreaterThan(0);
    expect(health.cpuMs).toBeGreaterThanOrEqual(0);
  });

  it('stops and starts with the admin API', async () => {
    expect((await host.http('POST', '/v1/admin/plugins/capable/disable', { token: 'admin' })).body.status).toBe(
      'disabled',
    );
    expect((await appHealth(host, 'capable')).state).toBe('stopped');
    expect((await send('shout while disabled')).body.message.content.text).toBe('shout while disabled');
    expect((await host.http('POST', '/v1/admin/plugins/capable/enable', { token: 'admin' })).body.status).toBe(
      'running',
    );
    expect((await send('shout again')).body.message.content.text).toBe('SHOUT AGAIN');
  });
});

describe('sandbox supervision', () => {
  let host: TestHost;
  let user: TestUser;

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        sandbox: { workers: 1, restart: { baseDelayMs: 10, maxDelayMs: 50, maxFailures: 3, windowMs: 60_000 } },
        plugins: {
          enabled: [
            enable(appManifest('fragile', { limits: { cpuMsPerEvent: 50 } })),
            enable(appManifest('refuser', { settings: { type: 'object' } }), { settings: { crashAtStart: true } }),
            enable(appManifest('spinner', { entry: SPINNER_ENTRY, limits: { cpuMsPerEvent: 50 } })),
          ],
        },
      },
    });
    user = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('records an app that throws at start as failed, with the reason', async () => {
    const plugins = await listPlugins(host);
    expect(plugins.find((p) => p.id === 'refuser')).toMatchObject({
      status: 'failed',
      error: { code: 'plugin_start_failed', message: expect.stringContaining('refusing to start') },
    });
    expect(await appHealth(host, 'refuser')).toMatchObject({
      state: 'failed',
      lastFailure: { reason: 'start_failed' },
    });
    expect(plugins.find((p) => p.id === 'fragile')).toMatchObject({ status: 'running' });
  });

  it('stops an app whose bundle spins as it loads by its CPU budget, and records it as failed to start', async () => {
    const plugins = await listPlugins(host);
    expect(plugins.find((p) => p.id === 'spinner')).toMatchObject({
      status: 'failed',
      error: { code: 'plugin_start_failed', message: expect.stringContaining('ran past its 50 ms CPU budget') },
    });
    expect(await appHealth(host, 'spinner')).toMatchObject({
      state: 'failed',
      lastFailure: { reason: 'start_failed' },
    });
    expect(plugins.find((p) => p.id === 'fragile')).toMatchObject({ status: 'running' });
  });

  it('restarts an app with backoff, then opens the circuit breaker after repeated failures', async () => {
    const room = await roomWith(host, user, ['fragile']);
    for (let i = 1; i <= 2; i++) {
      expect((await runOp(host, user, room.id, 'loop-sync')).status).toBe(502);
      const health = await waitForApp(host, 'fragile');
      expect(health.restarts).toBe(i);
    }
    expect((await runOp(host, user, room.id, 'loop-sync')).status).toBe(502);
    const disabled = await waitForApp(host, 'fragile', 'disabled');
    expect(disabled.failures.cpu_limit).toBe(3);
    const plugin = (await listPlugins(host)).find((p) => p.id === 'fragile');
    expect(plugin).toMatchObject({
      status: 'failed',
      error: { code: 'app_disabled', message: expect.stringContaining('failed 3 times') },
    });
    expect((await runOp(host, user, room.id, 'echo x')).status).toBe(404);
    // An operator enables it again; its failure history starts over.
    expect((await host.http('POST', '/v1/admin/plugins/fragile/enable', { token: 'admin' })).body.status).toBe(
      'running',
    );
    expect((await runOp(host, user, room.id, 'echo x')).value).toMatchObject({ arg: 'x' });
    expect((await runOp(host, user, room.id, 'loop-sync')).status).toBe(502);
    expect((await waitForApp(host, 'fragile')).state).toBe('running');
  });
});
