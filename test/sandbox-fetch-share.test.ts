/**
 * An app's outbound HTTP (http.fetch) cannot take what its neighbours need: each plugin has
 * connections of its own and a bounded number of requests in flight (so of answers buffered in the
 * host), the rest waiting within their own deadline in a bounded queue; a stopped plugin's
 * connections close. An app whose metrics pass their budget is told so, once, in its log.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';
import { enable, pluginLogs, roomWith } from './support/plugin-helpers.js';
import { reacherManifest } from './support/reacher-app.js';
import { runOp, startSandboxHost, waitForApp } from './support/sandbox-helpers.js';
import { startCountingServer, type CountingServer } from './support/counting-server.js';
import { OUTBOUND_LIMITS } from '../sdk/plugin/outbound-limits.js';
import { MAX_OUTBOUND_BODY_BYTES } from '../host/outbound/outbound-exchange.js';
import { METRICS_TOKEN, scrape } from './support/metrics-helpers.js';

const { inFlightPerApp: IN_FLIGHT, queuedPerApp: QUEUED } = OUTBOUND_LIMITS;

describe("apps' outbound HTTP side by side", () => {
  let server: CountingServer;
  let host: TestHost;
  let ada: TestUser;
  const apps = ['hog', 'nice', 'hoarder', 'closer', 'meter'];

  beforeAll(async () => {
    server = await startCountingServer();
    const manifest = (id: string) =>
      reacherManifest(
        id,
        {
          commands: {},
          storage: {},
          scheduler: {},
          'http.routes': {},
          'http.outbound': { hosts: [`127.0.0.1:${server.port}`] },
          metrics: {},
        },
        // Room for more calls in flight than the host lets out, so the host's bound is the one met.
        { maxPendingCalls: 200 },
      );
    ({ host, user: ada } = await startSandboxHost(
      apps.map((id) => enable(manifest(id))),
      apps,
      {},
      { metrics: { token: METRICS_TOKEN } },
    ));
  });
  afterAll(async () => {
    await host?.stop();
    await server?.close();
  });

  const run = async (app: string, op: string) => {
    const { status, value, error } = await runOp(host, ada, (await roomWith(host, ada, [app])).id, op);
    expect(status, JSON.stringify(error)).toBe(200);
    return value;
  };

  it("serves a neighbour's fetch at once while an app's 64 fetches stall at the same server", async () => {
    expect(await run('hog', `fetches 64 ${server.url('/stall', 'hog')} 20000`)).toEqual({ started: 64 });
    await eventually(() => server.counts('hog').open >= IN_FLIGHT, { what: "the hog's requests at the server" });

    // Its own 4 s deadline (within the command's 5 s): queued behind the hog's sockets, it would fail.
    const nice = await run('nice', `fetch ${server.url('/ok', 'nice')} 4000`);
    expect(nice).toEqual({ ok: true, status: 200, bytes: 2 });
    // ...while every one of the hog's was still stalled, and never more than its share at the server.
    expect((await run('hog', 'fetched')).settled).toBe(0);
    expect(server.counts('hog').maxOpen).toBe(IN_FLIGHT);
  });

  it('keeps at most 16 of an app’s requests out at once, the rest waiting within their deadline in a bounded queue', async () => {
    // Each answer stops one byte short of 1 MiB: the host holds what came of each request it sent.
    const total = IN_FLIGHT + QUEUED + 28;
    expect(await run('hoarder', `fetches ${total} ${server.url('/mib-stall', 'hoarder')} 3000`)).toEqual({
      started: total,
    });
    const done = await eventually(
      async () => {
        const f = await run('hoarder', 'fetched');
        return f.settled === total && f;
      },
      { what: "the hoarder's fetches to end" },
    );
    expect(done.codes).toEqual({ outbound_http_failed: IN_FLIGHT + QUEUED, rate_limited: 28 });
    expect(done.first.rate_limited).toMatchObject({
      message: expect.stringContaining(`${IN_FLIGHT} outbound requests in flight and ${QUEUED} waiting`),
      retryAfterMs: expect.any(Number),
    });
    // Never more than 16 at the server, and those refused never reached it. (Of those queued, only
    // ones whose turn came just before their deadline did, which counts from the call.)
    expect(server.counts('hoarder')).toMatchObject({ open: 0, maxOpen: IN_FLIGHT });
    expect(server.counts('hoarder').received).toBeLessThanOrEqual(IN_FLIGHT + QUEUED);

    // Waiting ones are sent as others end: 24 answers of 1 MiB, never more than 16 at once.
    expect(await run('hoarder', `fetches 24 ${server.url('/mib', 'hoarder-mib')} 20000`)).toEqual({ started: 24 });
    const answered = await eventually(
      async () => {
        const f = await run('hoarder', 'fetched');
        return f.settled === total + 24 && f;
      },
      { what: "the hoarder's 1 MiB answers" },
    );
    expect(answered.codes.ok).toBe(24);
    expect(answered.first.ok).toEqual({ ok: true, status: 200, bytes: MAX_OUTBOUND_BODY_BYTES });
    expect(server.counts('hoarder-mib')).toMatchObject({ received: 24, open: 0 });
    expect(server.counts('hoarder-mib').maxOpen).toBeLessThanOrEqual(IN_FLIGHT);
  });

  it('closes a stopped app’s connections, in use and kept alive, and opens new ones when it runs again', async () => {
    expect(await run('closer', `fetches 2 ${server.url('/held', 'closer')} 20000`)).toEqual({ started: 2 });
    await eventually(() => server.counts('closer').open === 2, { what: 'two requests held' });
    server.release('closer');
    await eventually(async () => (await run('closer', 'fetched')).codes.ok === 2, { what: 'the answers' });
    // Both connections are kept alive; one now carries a request that stalls.
    expect(await run('closer', `fetches 1 ${server.url('/stall', 'closer')} 20000`)).toEqual({ started: 1 });
    await eventually(() => server.counts('closer').open === 1, { what: 'the stalled request' });
    expect(server.counts('closer').connections).toBe(2);

    expect((await host.http('POST', '/v1/admin/plugins/closer/disable', { token: 'admin' })).status).toBe(200);
    await eventually(() => server.counts('closer').connections === 0, { what: "the closer's connections to close" });

    expect((await host.http('POST', '/v1/admin/plugins/closer/enable', { token: 'admin' })).status).toBe(200);
    await waitForApp(host, 'closer');
    expect(await run('closer', `fetch ${server.url('/ok', 'closer')} 5000`)).toEqual({
      ok: true,
      status: 200,
      bytes: 2,
    });
  });

  it('says once in the app’s log that its metrics passed their budget and new series are folded', async () => {
    const folded = async () =>
      (await pluginLogs(host, 'meter')).filter((l) => l.level === 'warn' && l.message.includes('folded'));
    // Three histograms at the rules' largest pass the 1 MiB budget within the third.
    expect(await run('meter', 'metrics-max 3')).toEqual({ ok: true });
    const [line] = await eventually(async () => {
      const lines = await folded();
      return lines.length > 0 && lines;
    });
    // 100 combinations of one such histogram already write some 4 MB.
    expect(line!.data).toMatchObject({ limit: 'seriesBytesPerPlugin', metric: expect.stringMatching(/^h0x+$/) });
    // More folding (the same again, and a fourth metric's combinations, all folded) adds no line.
    expect(await run('meter', 'metrics-max 4')).toEqual({ ok: true });
    const fourth = `switchboard_plugin_meter_${'h3'.padEnd(64, 'x')}_count`;
    await eventually(async () => (await scrape(host)).text.includes(fourth), { what: 'the fourth metric' });
    expect(await folded()).toHaveLength(1);
  });
});
