/**
 * ctx.metrics: plugins' counters and histograms on the host's /metrics, named after the plugin,
 * behind the `metrics` permission, with names checked and label combinations bounded; the same
 * through a sandboxed app's boundary; kept across a restart, gone with a purge.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { METRICS_TOKEN, sample, scrape, seriesCount } from './support/metrics-helpers.js';
import {
  enable,
  expectDenied,
  probeManifest,
  prober,
  roomWith,
  runCommand,
  type Probe,
} from './support/plugin-helpers.js';
import { appManifest, waitForApp } from './support/sandbox-helpers.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';

const PROBE = `${repoRoot}/test/fixtures/plugins/metrics-probe/index.ts`;
const APP = `${repoRoot}/test/fixtures/apps/metrics-app/index.ts`;
const metered = { commands: {}, metrics: {} };

const plugins = [
  enable(probeManifest('meter', { entry: PROBE, permissions: metered })),
  enable(probeManifest('meter-bare', { entry: PROBE })),
  enable(probeManifest('meter-refused', { entry: PROBE, permissions: metered }), { grants: { metrics: false } }),
  // "meter" + "x_jobs_total" and "meter-x" + "jobs_total" would both be switchboard_plugin_meter_x_jobs_total.
  enable(probeManifest('meter-x', { entry: PROBE, permissions: metered })),
  enable(appManifest('meter-app', { entry: APP, permissions: metered })),
  enable(appManifest('meter-app-bare', { entry: APP, permissions: { commands: {} } })),
];

describe('plugin metrics', () => {
  let host: TestHost;
  let user: TestUser;
  let meter: Probe;

  beforeAll(async () => {
    host = await startTestHost({ config: { metrics: { token: METRICS_TOKEN }, plugins: { enabled: plugins } } });
    await Promise.all([waitForApp(host, 'meter-app'), waitForApp(host, 'meter-app-bare')]);
    user = await host.createUser();
    meter = prober(host, user, (await roomWith(host, user, ['meter'])).id);
  });
  afterAll(async () => {
    await host?.stop();
  });

  /** An app's `/run`: its command name is the same for both apps, so each is asked in a room of its own. */
  async function app(id: string, op: string, ...args: unknown[]) {
    const own = (rooms[id] ??= await roomWith(host, user, [id]));
    const res = await runCommand(host, user, own.id, `/run ${op} ${JSON.stringify(args)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return JSON.parse(res.body.reply.text);
  }
  const rooms: Record<string, any> = {};

  it("shows a plugin's counters and histograms on /metrics, named after the plugin", async () => {
    expect(await meter('inc', 'succeeded')).toEqual({ ok: true, value: null });
    expect(await meter('inc', 'succeeded', 2)).toEqual({ ok: true, value: null });
    expect(await meter('inc', 'refused')).toEqual({ ok: true, value: null });
    expect(await meter('observe', 0.05, 5)).toEqual({ ok: true, value: null });
    const m = await scrape(host);
    expect(sample(m, 'switchboard_plugin_meter_jobs_total', { result: 'succeeded' })).toBe(3);
    expect(sample(m, 'switchboard_plugin_meter_jobs_total', { result: 'refused' })).toBe(1);
    expect(m.text).toContain('# HELP switchboard_plugin_meter_jobs_total Jobs by result.');
    expect(m.text).toContain('# TYPE switchboard_plugin_meter_job_seconds histogram');
    expect(sample(m, 'switchboard_plugin_meter_job_seconds_bucket', { le: '0.1' })).toBe(1);
    expect(sample(m, 'switchboard_plugin_meter_job_seconds_bucket', { le: '10' })).toBe(2);
    expect(sample(m, 'switchboard_plugin_meter_job_seconds_count')).toBe(2);
    expect(sample(m, 'switchboard_plugin_meter_job_seconds_sum')).toBeCloseTo(5.05);
    // Never under the bare name, where it could collide with the host's or another plugin's.
    expect(seriesCount(m, 'jobs_total')).toBe(0);
  });

  it('returns the same instrument for the same definition, and refuses a different one', async () => {
    expect(await meter('same')).toEqual({ ok: true, value: true });
    expect(await meter('counter', { name: 'jobs_total', help: 'x', labels: ['outcome'] })).toMatchObject({
      ok: false,
      code: 'metric_invalid',
    });
    expect(await meter('histogram', { name: 'jobs_total', help: 'x', labels: ['result'] })).toMatchObject({
      ok: false,
      code: 'metric_invalid',
    });
  });

  it('refuses bad names, labels, buckets and values with metric_invalid', async () => {
    const bad: [string, ...unknown[]][] = [
      ['counter', { name: 'Bad-Name', help: 'x' }],
      ['counter', { name: '__reserved', help: 'x' }],
      ['counter', { name: 'x'.repeat(65), help: 'x' }],
      ['counter', { name: 'ends_count', help: 'x' }],
      ['counter', { name: 'no_help', help: '' }],
      ['counter', { name: 'bad_label', help: 'x', labels: ['has space'] }],
      ['counter', { name: 'le_label', help: 'x', labels: ['le'] }],
      ['counter', { name: 'twice', help: 'x', labels: ['a', 'a'] }],
      ['counter', { name: 'many', help: 'x', labels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i'] }],
      ['histogram', { name: 'down', help: 'x', buckets: [1, 0.5] }],
      ['histogram', { name: 'inf', help: 'x', buckets: [1, 'Infinity'] }],
      ['counter', 'not an object'],
      ['record', { result: 'x'.repeat(65) }, 1],
      ['record', {}, 1],
      ['record', { result: 'ok', extra: 'no' }, 1],
      ['record', { result: 1 }, 1],
      ['record', { result: 'ok' }, -1],
      ['record', { result: 'ok' }, 'NaN'],
    ];
    for (const [op, ...args] of bad)
      expect(await meter(op, ...args), JSON.stringify([op, args])).toMatchObject({ ok: false, code: 'metric_invalid' });
    const m = await scrape(host);
    expect(m.text).not.toContain('Bad-Name');
    expect(sample(m, 'switchboard_plugin_meter_jobs_total', { result: 'ok' })).toBeUndefined();
  });

  it('refuses a name another plugin (or the host) already shows', async () => {
    const other = prober(host, user, (await roomWith(host, user, ['meter-x'])).id);
    expect(await other('counter', { name: 'jobs_total', help: 'Mine.' })).toEqual({ ok: true, value: null });
    expect(await meter('counter', { name: 'x_jobs_total', help: 'Clash.' })).toMatchObject({
      ok: false,
      code: 'metric_invalid',
    });
  });

  it('denies a plugin without the permission, naming it', async () => {
    for (const id of ['meter-bare', 'meter-refused']) {
      const call = prober(host, user, (await roomWith(host, user, [id])).id);
      expectDenied(await call('counter', { name: 'sneaky_total', help: 'x' }), 'metrics');
      expectDenied(await call('inc', 'succeeded'), 'metrics');
    }
    const m = await scrape(host);
    expect(m.text).not.toContain('switchboard_plugin_meter_bare_');
    expect(m.text).not.toContain('switchboard_plugin_meter_refused_');
  });

  it('keeps at most 100 label combinations a metric, folding the rest into "other"', async () => {
    expect(await meter('flood', 150)).toEqual({ ok: true, value: null });
    const m = await scrape(host);
    expect(seriesCount(m, 'switchboard_plugin_meter_flood_total')).toBe(101);
    expect(sample(m, 'switchboard_plugin_meter_flood_total', { key: 'k0' })).toBe(1);
    expect(sample(m, 'switchboard_plugin_meter_flood_total', { key: 'k99' })).toBe(1);
    expect(sample(m, 'switchboard_plugin_meter_flood_total', { key: 'k100' })).toBeUndefined();
    expect(sample(m, 'switchboard_plugin_meter_flood_total', { key: 'other' })).toBe(50);
    // A combination seen before still counts as itself.
    expect(await meter('flood', 1)).toEqual({ ok: true, value: null });
    expect(sample(await scrape(host), 'switchboard_plugin_meter_flood_total', { key: 'k0' })).toBe(2);
  });

  it('gives a sandboxed app the same capability, its recordings batched across the boundary', async () => {
    expect(await app('meter-app', 'inc', 'succeeded')).toEqual({ ok: true, value: null });
    expect(await app('meter-app', 'inc', 'succeeded', 4)).toEqual({ ok: true, value: null });
    expect(await app('meter-app', 'observe', 0.5)).toEqual({ ok: true, value: null });
    expect(await app('meter-app', 'same')).toEqual({ ok: true, value: true });
    // 1,500 new combinations in one turn: two calls to the host, bounded there like a plugin's.
    expect(await app('meter-app', 'flood', 1500)).toEqual({ ok: true, value: null });
    await eventually(
      async () => {
        const m = await scrape(host);
        return (
          sample(m, 'switchboard_plugin_meter_app_jobs_total', { result: 'succeeded' }) === 5 &&
          sample(m, 'switchboard_plugin_meter_app_job_seconds_count') === 1 &&
          sample(m, 'switchboard_plugin_meter_app_flood_total', { key: 'other' }) === 1400 &&
          seriesCount(m, 'switchboard_plugin_meter_app_flood_total') === 101
        );
      },
      { what: "the app's recordings on /metrics" },
    );
    // Checked in the isolate, synchronously, with the host's codes.
    expect(await app('meter-app', 'counter', { name: 'Bad-Name', help: 'x' })).toMatchObject({
      ok: false,
      code: 'metric_invalid',
    });
    expect(await app('meter-app', 'record', { result: 'ok' }, -1)).toMatchObject({ ok: false, code: 'metric_invalid' });
    expect(await app('meter-app', 'counter', { name: 'jobs_total', help: 'x', labels: ['other'] })).toMatchObject({
      ok: false,
      code: 'metric_invalid',
    });
    expectDenied(await app('meter-app-bare', 'inc', 'succeeded'), 'metrics');
    expect((await scrape(host)).text).not.toContain('switchboard_plugin_meter_app_bare_');
  });

  it("keeps a plugin's series across a restart, and drops them when its data is purged", async () => {
    const admin = { token: 'admin' as const };
    expect((await host.http('POST', '/v1/admin/plugins/meter/disable', admin)).status).toBe(200);
    expect((await host.http('POST', '/v1/admin/plugins/meter/enable', admin)).status).toBe(200);
    expect(sample(await scrape(host), 'switchboard_plugin_meter_jobs_total', { result: 'succeeded' })).toBe(3);
    expect(await meter('inc', 'succeeded')).toEqual({ ok: true, value: null });
    expect(sample(await scrape(host), 'switchboard_plugin_meter_jobs_total', { result: 'succeeded' })).toBe(4);

    const purged = await host.http('DELETE', '/v1/admin/plugins/meter?purge=true', admin);
    expect(purged.status).toBe(200);
    expect(purged.body.purged).toBe(true);
    const m = await scrape(host);
    expect(m.text).not.toContain('switchboard_plugin_meter_jobs_total');
    expect(m.text).not.toContain('switchboard_plugin_meter_flood_total');
    // Another plugin's are untouched.
    expect(m.text).toContain('switchboard_plugin_meter_x_jobs_total');
  });
});
