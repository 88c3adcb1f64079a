/**
 * GET /metrics: Prometheus text behind the metrics token, absent without one, and counts that
 * belong to one host even when several run in one process.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online } from './support/protocol-helpers.js';
import { enable, probeManifest, roomWith, runCommand } from './support/plugin-helpers.js';
import { eventually } from './support/eventually.js';
import { repoRoot } from './support/e2e.js';
import { waitForApp } from './support/sandbox-helpers.js';

const METRICS_TOKEN = 'metrics-token-0123456789-abcdef';

/** Every sample of the text exposition: `name{labels} value` → value, keyed by `name{labels}` as written. */
function parse(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

/** The value of `name` with exactly these labels (in any order), or undefined. */
function sample(samples: Map<string, number>, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .sort()
    .join(',');
  for (const [key, value] of samples) {
    const brace = key.indexOf('{');
    const keyName = brace === -1 ? key : key.slice(0, brace);
    if (keyName !== name) continue;
    const keyLabels =
      brace === -1
        ? ''
        : key
            .slice(brace + 1, -1)
            .split(',')
            .sort()
            .join(',');
    if (keyLabels === wanted) return value;
  }
  return undefined;
}

async function scrape(host: TestHost): Promise<Map<string, number>> {
  const res = await fetch(`${host.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toContain('text/plain');
  return parse(await res.text());
}

describe('metrics', () => {
  let host: TestHost;
  let other: TestHost;
  let user: TestUser;
  let room: any;

  beforeAll(async () => {
    [host, other] = await Promise.all([
      startTestHost({
        config: {
          metrics: { token: METRICS_TOKEN },
          plugins: {
            enabled: [enable(probeManifest('echoer', { echo: true }), { settings: { echoCommand: 'echo' } })],
          },
        },
      }),
      startTestHost({ config: { metrics: { token: METRICS_TOKEN } } }),
    ]);
    user = await host.createUser();
    room = await roomWith(host, user, ['echoer']);
  });
  afterAll(async () => {
    await Promise.all([host?.stop(), other?.stop()]);
  });

  it('refuses a scrape without the metrics token, or with another token', async () => {
    const none = await fetch(`${host.url}/metrics`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as any).error.code).toBe('unauthenticated');
    for (const token of ['wrong-token-0123456789-abcdef', host.adminToken, user.token]) {
      const res = await fetch(`${host.url}/metrics`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status).toBe(403);
      expect(((await res.json()) as any).error.code).toBe('forbidden');
    }
  });

  it('is not there at all on a host without a metrics token', async () => {
    const plain = await startTestHost();
    try {
      const res = await fetch(`${plain.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
      expect(res.status).toBe(404);
      expect(((await res.json()) as any).error.code).toBe('route_not_found');
    } finally {
      await plain.stop();
    }
  });

  it('shows connections, frames, send→ack, batches, queries and plugin calls after real traffic', async () => {
    const client = await online(host, user);
    const sends = 5;
    for (let i = 0; i < sends; i++) await client.sendText(room.id, `hello ${i}`);
    const answer = await client.request({ type: 'command', conversationId: room.id, text: '/echo 1 one' });
    expect(answer.plugin).toBe('echoer');
    const http = await runCommand(host, user, room.id, '/echo 2 two');
    expect(http.status).toBe(200);

    const m = await scrape(host);
    expect(sample(m, 'switchboard_ws_connections')).toBeGreaterThanOrEqual(1);
    expect(sample(m, 'switchboard_ws_frames_in_total', { type: 'send' })).toBeGreaterThanOrEqual(sends);
    expect(sample(m, 'switchboard_ws_frames_in_total', { type: 'command' })).toBeGreaterThanOrEqual(1);
    expect(sample(m, 'switchboard_ws_frames_in_total', { type: 'other' })).toBe(0);
    expect(sample(m, 'switchboard_ws_frames_out_total', { type: 'ready' })).toBeGreaterThanOrEqual(1);
    expect(sample(m, 'switchboard_ws_frames_out_total', { type: 'result' })).toBeGreaterThanOrEqual(sends + 1);
    expect(sample(m, 'switchboard_send_ack_seconds_count')).toBeGreaterThanOrEqual(sends);
    expect(sample(m, 'switchboard_send_ack_seconds_bucket', { le: '+Inf' })).toBeGreaterThanOrEqual(sends);
    expect(sample(m, 'switchboard_commit_batch_size_count')).toBeGreaterThanOrEqual(1);
    expect(sample(m, 'switchboard_commit_batch_size_sum')).toBeGreaterThanOrEqual(sends);
    expect(sample(m, 'switchboard_db_query_seconds_count')).toBeGreaterThan(0);
    expect(sample(m, 'switchboard_plugin_calls_total', { plugin: 'echoer', kind: 'command', outcome: 'ok' })).toBe(2);
    expect(sample(m, 'switchboard_plugin_calls_total', { plugin: 'echoer', kind: 'command', outcome: 'failed' })).toBe(
      0,
    );
    expect(sample(m, 'switchboard_plugin_call_duration_seconds_count', { plugin: 'echoer', kind: 'command' })).toBe(2);
    // prom-client's process metrics, on the host's own registry.
    expect(sample(m, 'process_cpu_seconds_total')).toBeGreaterThan(0);

    // An unknown frame type is counted as "other", never as a label of its own.
    client.sendRaw({ type: 'made.up', id: 'x1' });
    await eventually(
      async () => sample(await scrape(host), 'switchboard_ws_frames_in_total', { type: 'other' }) === 1,
      {
        what: 'the unknown frame counted as other',
      },
    );
    expect([...(await scrape(host)).keys()].some((k) => k.includes('made.up'))).toBe(false);

    await client.close();
    await eventually(async () => sample(await scrape(host), 'switchboard_ws_connections') === 0, {
      what: 'the connection gauge back to 0',
    });
  });

  it('keeps counts per host: a second host in the same process starts from zero', async () => {
    const m = await scrape(other);
    expect(sample(m, 'switchboard_send_ack_seconds_count')).toBe(0);
    expect(sample(m, 'switchboard_ws_frames_in_total', { type: 'send' })).toBe(0);
    expect(sample(m, 'switchboard_plugin_calls_total', { plugin: 'echoer', kind: 'command', outcome: 'ok' })).toBe(
      undefined,
    );
    const mine = await scrape(host);
    expect(sample(mine, 'switchboard_send_ack_seconds_count')).toBeGreaterThanOrEqual(5);
  });
});

describe('metrics of sandboxed apps', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        metrics: { token: METRICS_TOKEN },
        plugins: { enabled: [{ path: `${repoRoot}/manifests/poll.json` }] },
      },
    });
    await waitForApp(host, 'poll');
  });
  afterAll(async () => {
    await host?.stop();
  });

  it("shows each app's CPU, memory, restarts and breaker, read from its worker when scraped", async () => {
    const user = await host.createUser();
    const room = await roomWith(host, user, ['poll']);
    const created = await runCommand(host, user, room.id, '/poll Lunch? | pizza | salad');
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const m = await scrape(host);
    expect(sample(m, 'switchboard_app_running', { app: 'poll' })).toBe(1);
    expect(sample(m, 'switchboard_app_breaker_open', { app: 'poll' })).toBe(0);
    expect(sample(m, 'switchboard_app_restarts_total', { app: 'poll' })).toBe(0);
    expect(sample(m, 'switchboard_app_heap_used_bytes', { app: 'poll' })).toBeGreaterThan(0);
    expect(sample(m, 'switchboard_app_worker_rss_bytes', { app: 'poll' })).toBeGreaterThan(0);
    expect(sample(m, 'switchboard_app_cpu_seconds', { app: 'poll' })).toBeGreaterThan(0);
    // A sandboxed app's calls cross the same boundary as a trusted plugin's.
    expect(sample(m, 'switchboard_plugin_calls_total', { plugin: 'poll', kind: 'command', outcome: 'ok' })).toBe(1);
  });
});

// The bus refuses SQLite, so the lag between hosts is measured on the PostgreSQL run only.
describe.skipIf(!process.env.DATABASE_URL)('metrics of the bus between hosts', () => {
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const prefix = `test-${randomUUID()}:`;
  let a: TestHost;
  let b: TestHost;

  beforeAll(async () => {
    // Presence heartbeats only at start (each host asks the others once): the window below then
    // carries no event from host b.
    const config = { metrics: { token: METRICS_TOKEN }, bus: { url: redisUrl, prefix, presenceIntervalMs: 600_000 } };
    a = await startTestHost({ config });
    b = await startTestHost({ config, database: a.database });
  });
  afterAll(async () => {
    // b borrows a's database: it stops first, a then drops the database.
    await b?.stop();
    await a?.stop();
    const redis = new Redis(redisUrl);
    await redis.del(`${prefix}events`);
    await redis.quit();
  });

  it("records the publish → deliver lag of another host's events, never of its own", async () => {
    const lagCount = async (host: TestHost) => sample(await scrape(host), 'switchboard_bus_lag_seconds_count') ?? 0;
    // Each host heard the other's start-up presence heartbeat: from here on only a's sends travel.
    await eventually(async () => (await lagCount(a)) >= 1 && (await lagCount(b)) >= 1, {
      what: "both hosts to hear the other's start-up heartbeat",
    });
    const [aBefore, bBefore] = [await lagCount(a), await lagCount(b)];
    const ada = await a.createUser();
    const room = await a.createGroup(ada, [], 'lag');
    const client = await online(a, ada);
    for (let i = 0; i < 3; i++) await client.sendText(room.id, `over the bus ${i}`);
    await eventually(async () => (await lagCount(b)) >= bBefore + 3, {
      what: "host b to record the lag of host a's events",
    });
    expect(sample(await scrape(b), 'switchboard_bus_lag_seconds_bucket', { le: '+Inf' })).toBeGreaterThanOrEqual(
      bBefore + 3,
    );
    expect(await lagCount(a)).toBe(aBefore);
  });
});
