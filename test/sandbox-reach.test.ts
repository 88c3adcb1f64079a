/**
 * What an app puts in front of people and on the host's origin stays within bounds: its pushes
 * count with its sends (sendsPerMinute), and so do the groups it puts people in; the ids it gives a message are held to people's 64
 * characters, and its routes cannot set headers that act on the whole origin (cookies sent with
 * every request to the host, Clear-Site-Data wiping the web client's session, HSTS, Alt-Svc).
 * Options the SDK's types forbid (null, an expiry of 1e300 seconds) are refused as such. Its metrics
 * take a bounded part of the host's /metrics, however large the rules let each one be.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';
import { enable, pluginLogs, roomWith } from './support/plugin-helpers.js';
import { reacherManifest } from './support/reacher-app.js';
import { runOp, startSandboxHost } from './support/sandbox-helpers.js';
import { METRICS_TOKEN, scrape } from './support/metrics-helpers.js';
import { METRIC_LIMITS } from '../sdk/plugin/metric-rules.js';

const SENDS_PER_MINUTE = 5;

const manifestOf = (id: string) =>
  reacherManifest(
    id,
    {
      commands: {},
      'messages.send': {},
      'messages.read': {},
      'notifications.send': {},
      'http.routes': {},
      interactive: {},
      storage: {},
      scheduler: {},
      'attachments.read': {},
      metrics: {},
      'conversations.manage': {},
    },
    { sendsPerMinute: SENDS_PER_MINUTE },
  );

describe('what a sandboxed app reaches', () => {
  let host: TestHost;
  let ada: TestUser;

  beforeAll(async () => {
    // One app per test: each starts with a full sendsPerMinute bucket.
    const apps = ['pusher', 'grouper', 'ider', 'router', 'optioner', 'meter'];
    ({ host, user: ada } = await startSandboxHost(
      apps.map((id) => enable(manifestOf(id))),
      apps,
      {},
      { metrics: { token: METRICS_TOKEN } },
    ));
  });
  afterAll(() => host?.stop());

  it('counts its pushes with its sends: past sendsPerMinute a push is refused with sandbox_limit', async () => {
    const room = await roomWith(host, ada, ['pusher']);
    const { status, value } = await runOp(host, ada, room.id, `notify ${SENDS_PER_MINUTE * 4}`);
    expect(status).toBe(200);
    // The bucket refills one send every 12 s, so a slow machine may fit one or two more in; an
    // unlimited push sends all of them.
    expect(value.sent).toBeGreaterThanOrEqual(SENDS_PER_MINUTE);
    expect(value.sent).toBeLessThan(SENDS_PER_MINUTE * 4);
    expect(value.refused).toMatchObject({
      ok: false,
      code: 'sandbox_limit',
      message: expect.stringContaining(`${SENDS_PER_MINUTE} messages a minute`),
      retryAfterMs: expect.any(Number),
    });
  });

  it('counts the groups it makes with its sends: past sendsPerMinute a person is put in no more of them', async () => {
    const room = await roomWith(host, ada, ['grouper']);
    const { value } = await runOp(host, ada, room.id, `groups ${SENDS_PER_MINUTE * 4}`);
    // As for pushes, a slow machine may fit one or two more in; unlimited, it made all of them.
    expect(value.made).toBeGreaterThanOrEqual(SENDS_PER_MINUTE);
    expect(value.made).toBeLessThan(SENDS_PER_MINUTE * 4);
    expect(value.refused).toMatchObject({ code: 'sandbox_limit', retryAfterMs: expect.any(Number) });
    const list = await host.http('GET', '/v1/conversations', { token: ada.token });
    const made = list.body.conversations.filter((c: { title: string | null }) => c.title?.startsWith('Group '));
    expect(made).toHaveLength(value.made);
  });

  it('holds the ids it gives a message to 1-64 characters, as people’s sends are', async () => {
    const room = await roomWith(host, ada, ['ider']);
    expect((await runOp(host, ada, room.id, 'client-id 64')).value).toEqual({ ok: true });
    for (const [op, path] of [
      ['client-id 65', '/2/clientMsgId'],
      ['client-id 200000', '/2/clientMsgId'],
      ['reply-id 65', '/2/replyToId'],
    ]) {
      const { value } = await runOp(host, ada, room.id, op!);
      expect(value, op).toMatchObject({ ok: false, code: 'invalid_request', details: [{ path }] });
    }
    const history = await host.http('GET', `/v1/conversations/${room.id}/messages?limit=50`, { token: ada.token });
    const ids = history.body.messages.map((m: { clientMsgId: string | null }) => m.clientMsgId ?? '');
    expect(Math.max(...ids.map((id: string) => id.length))).toBe(64);
  });

  it('answers its routes without the headers that act on the host’s whole origin, and says so in its log', async () => {
    const res = await fetch(`${host.url}/plugins/router/headers`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
    expect(res.headers.get('x-app-header')).toBe('kept');
    for (const name of ['set-cookie', 'clear-site-data', 'strict-transport-security', 'alt-svc'])
      expect(res.headers.get(name), name).toBeNull();
    const ignored = (await pluginLogs(host, 'router')).find((l) => l.message.includes('response headers ignored'));
    expect(ignored?.data).toMatchObject({
      headers: ['set-cookie', 'clear-site-data', 'strict-transport-security', 'alt-svc'],
    });
  });

  it('refuses options the SDK’s types forbid with invalid_request naming them, not an internal error', async () => {
    const room = await roomWith(host, ada, ['optioner']);
    const { value } = await runOp(host, ada, room.id, 'null-options');
    const paths: Record<string, string> = {
      'attachments.read': '/1',
      'messages.send': '/2',
      'messages.history': '/1',
      'interactive.send': '/2',
      'storage.set': '/2',
      'storage.delete': '/1',
      'storage.list': '/1',
      'scheduler.schedule': '/1',
      'scheduler.every': '/2',
    };
    expect(Object.keys(value)).toEqual(Object.keys(paths));
    for (const [call, path] of Object.entries(paths))
      expect(value[call], call).toMatchObject({ ok: false, code: 'invalid_request', details: [{ path }] });

    expect((await runOp(host, ada, room.id, 'storage-bounds')).value).toEqual({
      ttl: expect.objectContaining({
        ok: false,
        code: 'invalid_request',
        message: expect.stringContaining('315360000'),
      }),
      negative: expect.objectContaining({ ok: false, code: 'invalid_request' }),
      fraction: expect.objectContaining({ ok: false, code: 'invalid_request' }),
      tenYears: { ok: true },
    });
  });

  it('keeps its series to a bounded part of /metrics, folding the rest into "other" with totals kept', async () => {
    const room = await roomWith(host, ada, ['meter']);
    // Three histograms at the rules' largest (8 long labels, 30 buckets, 100 combinations) would
    // write some 12 MB on every scrape; fifty, some 200 MB.
    expect((await runOp(host, ada, room.id, 'metrics-max 3')).value).toEqual({ ok: true });
    const name = (m: number) => `switchboard_plugin_meter_${`h${m}`.padEnd(64, 'x')}_count`;
    let s = await scrape(host);
    await eventually(async () => {
      s = await scrape(host);
      return [0, 1, 2].every((m) => s.text.includes(name(m)));
    });
    const own = s.text.split('\n').filter((l) => l.startsWith('switchboard_plugin_meter_'));
    // The kept series, and at most one folded series a metric past them.
    expect(own.join('\n').length).toBeLessThan(METRIC_LIMITS.seriesBytesPerPlugin * 1.2);
    expect(own.some((l) => l.startsWith(name(2)) && l.includes('="other"'))).toBe(true);
    for (const m of [0, 1, 2]) {
      const counts = [...s.samples].filter(([key]) => key.startsWith(`${name(m)}{`));
      expect(counts.reduce((n, [, v]) => n + v, 0)).toBe(100);
    }
  });
});
