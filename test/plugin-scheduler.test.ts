/**
 * The durable scheduler: one-off and recurring jobs stored in the database, run by the host that
 * claims them, retried with backoff on failure, kept while their plugin is disabled, and run
 * exactly once across a host restart. The fixture appends every run to a record file.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { testDatabaseKind } from './support/test-database.js';
import { repoRoot } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import {
  auditOf,
  enable,
  expectDenied,
  pluginLogs,
  probeManifest,
  prober,
  readRecords,
  recordFile,
  registrations,
  roomWith,
  valueOf,
  waitForRecord,
  waitForRecords,
  type Probe,
} from './support/plugin-helpers.js';

const ENTRY = join(repoRoot, 'test/fixtures/plugins/scheduler-probe/index.ts');
const manifest = (id: string, permissions: Record<string, object> = { commands: {}, scheduler: {} }) =>
  probeManifest(id, { entry: ENTRY, command: id, permissions });
const plugin = (
  id: string,
  file: string,
  opts: { permissions?: Record<string, object>; grants?: Record<string, false> } = {},
) =>
  enable(manifest(id, opts.permissions), {
    settings: { command: id, recordFile: file },
    ...(opts.grants ? { grants: opts.grants } : {}),
  });

const runsOf = (file: string, jobId: string) => readRecords(file).filter((r) => r.event === 'job' && r.id === jobId);
const waitForRun = (file: string, jobId: string, more: (r: any) => boolean = () => true, timeoutMs = 10_000) =>
  waitForRecord(file, (r) => r.event === 'job' && r.id === jobId && more(r), timeoutMs);

describe('plugin scheduler', () => {
  const runs = recordFile('scheduler-runs');
  let host: TestHost;
  let user: TestUser;
  let sched: Probe;
  let other: Probe;
  let sleeper: Probe;
  let bare: Probe;
  let refused: Probe;
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            plugin('sched', runs),
            plugin('other', runs),
            plugin('sleeper', runs),
            plugin('bare', runs, { permissions: { commands: {} } }),
            plugin('refused', runs, { grants: { scheduler: false } }),
          ],
        },
      },
    });
    user = await host.createUser();
    const room = await roomWith(host, user, ['sched', 'other', 'sleeper', 'bare', 'refused']);
    [sched, other, sleeper, bare, refused] = ['sched', 'other', 'sleeper', 'bare', 'refused'].map((c) =>
      prober(host, user, room.id, c),
    ) as [Probe, Probe, Probe, Probe, Probe];
  });
  afterAll(async () => {
    await host?.stop();
  });

  /** Waits until a job of `other`, due after `delayMs`, has run: earlier due jobs had their chance by then. */
  async function sentinel(delayMs: number) {
    const job = valueOf(await other('scheduler.schedule', 'record', { delayMs, payload: 'sentinel' }));
    await waitForRun(runs, job.id);
  }

  it('runs a one-off job once, with its payload, and then forgets it', async () => {
    const payload = { text: 'hello', nested: { list: [1, 2, 3], flag: true } };
    const job = valueOf(await sched('scheduler.schedule', 'record', { payload }));
    expect(job).toMatchObject({ name: 'record', key: null, intervalMs: null, payload });
    const run = await waitForRun(runs, job.id);
    expect(run).toMatchObject({ plugin: 'sched', name: 'record', payload, attempt: 1, runAt: job.runAt });
    await sentinel(500);
    expect(runsOf(runs, job.id)).toHaveLength(1);
    expect(valueOf<any[]>(await sched('scheduler.list')).map((j) => j.id)).not.toContain(job.id);
  });

  it('does not run a job before delayMs or at', async () => {
    const before = Date.now();
    const delayed = valueOf(await sched('scheduler.schedule', 'record', { delayMs: 1500, payload: 'delayed' }));
    const at = new Date(Date.now() + 1200).toISOString();
    const timed = valueOf(await sched('scheduler.schedule', 'record', { at, payload: 'timed' }));
    const past = valueOf(
      await sched('scheduler.schedule', 'record', { at: '2001-01-01T00:00:00.000Z', payload: 'past' }),
    );
    expect(Date.parse(delayed.runAt)).toBeGreaterThanOrEqual(before + 1500);
    expect(timed.runAt).toBe(at);
    expect(Date.parse(past.runAt)).toBeGreaterThanOrEqual(before);
    for (const job of [delayed, timed, past]) {
      const run = await waitForRun(runs, job.id);
      expect(run.ranAt).toBeGreaterThanOrEqual(Date.parse(job.runAt));
    }
  });

  it('refuses bad names, intervals and oversized payloads', async () => {
    expect(await sched('scheduler.schedule', 'Bad Name', {})).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(await sched('scheduler.schedule', 'record', { delayMs: -5 })).toMatchObject({
      ok: false,
      code: 'invalid_request',
    });
    expect(await sched('scheduler.schedule', 'record', { at: 'not a date' })).toMatchObject({
      ok: false,
      code: 'invalid_request',
    });
    expect(await sched('scheduler.every', 'record', 999)).toMatchObject({ ok: false, code: 'invalid_request' });
    // Payloads too large for a command are made by a job of the fixture (so also: jobs schedule jobs).
    const tooLarge = valueOf(await sched('scheduler.schedule', 'spawn', { payload: { bytes: 70_000 } }));
    const fits = valueOf(await sched('scheduler.schedule', 'spawn', { payload: { bytes: 60_000 } }));
    expect(await waitForRecord(runs, (r) => r.event === 'spawned' && r.from === tooLarge.id)).toMatchObject({
      ok: false,
      code: 'payload_too_large',
    });
    const spawned = await waitForRecord(runs, (r) => r.event === 'spawned' && r.from === fits.id);
    expect(spawned).toMatchObject({ ok: true });
    expect(valueOf(await sched('scheduler.cancel', spawned.jobId))).toBe(true);
  });

  it('returns the existing job, unchanged, for a key that exists', async () => {
    const first = valueOf(
      await sched('scheduler.schedule', 'record', { delayMs: 60_000, key: 'daily-report', payload: 1 }),
    );
    const again = valueOf(
      await sched('scheduler.schedule', 'record', { delayMs: 5_000, key: 'daily-report', payload: 2 }),
    );
    const recurring = valueOf(await sched('scheduler.every', 'record', 5_000, { key: 'daily-report', payload: 3 }));
    expect(again).toEqual(first);
    expect(recurring).toEqual(first);
    expect(first).toMatchObject({ key: 'daily-report', payload: 1 });
    expect(valueOf<any[]>(await sched('scheduler.list')).filter((j) => j.key === 'daily-report')).toEqual([first]);
    // The same key in another plugin is another job.
    const theirs = valueOf(await other('scheduler.schedule', 'record', { delayMs: 60_000, key: 'daily-report' }));
    expect(theirs.id).not.toBe(first.id);
    expect(
      (await auditOf(host, 'sched')).filter((e) => e.capability === 'scheduler' && e.target.includes(first.id)),
    ).toHaveLength(1);
    expect(valueOf(await sched('scheduler.cancel', first.id))).toBe(true);
    expect(valueOf(await other('scheduler.cancel', theirs.id))).toBe(true);
  });

  it("cancels only the plugin's own jobs, and a cancelled job never runs", async () => {
    const doomed = valueOf(await sched('scheduler.schedule', 'record', { delayMs: 1000, payload: 'doomed' }));
    const kept = valueOf(await sched('scheduler.schedule', 'record', { delayMs: 60_000, payload: 'kept' }));
    expect(valueOf(await other('scheduler.cancel', kept.id))).toBe(false);
    expect(valueOf(await sched('scheduler.cancel', doomed.id))).toBe(true);
    expect(valueOf(await sched('scheduler.cancel', doomed.id))).toBe(false);
    expect((await auditOf(host, 'sched')).filter((e) => e.action === 'cancel' && e.target === doomed.id)).toHaveLength(
      1,
    );
    await sentinel(2000);
    expect(runsOf(runs, doomed.id)).toEqual([]);
    expect(valueOf<any[]>(await sched('scheduler.list')).map((j) => j.id)).toContain(kept.id);
    expect(valueOf(await sched('scheduler.cancel', kept.id))).toBe(true);
  });

  it("lists the plugin's own jobs, soonest first", async () => {
    const later = valueOf(
      await sched('scheduler.schedule', 'record', { delayMs: 50_000, payload: { n: 'later' }, key: 'later' }),
    );
    const soon = valueOf(await sched('scheduler.schedule', 'record', { delayMs: 30_000, payload: { n: 'soon' } }));
    const repeat = valueOf(await sched('scheduler.every', 'record', 40_000, { payload: { n: 'repeat' } }));
    const listed = valueOf<any[]>(await sched('scheduler.list'));
    expect(listed).toEqual([soon, repeat, later]);
    expect(repeat).toMatchObject({ intervalMs: 40_000, key: null, payload: { n: 'repeat' } });
    expect(valueOf<any[]>(await other('scheduler.list')).map((j) => j.id)).not.toContain(soon.id);
    for (const job of listed) expect(valueOf(await sched('scheduler.cancel', job.id))).toBe(true);
    expect(valueOf(await sched('scheduler.list'))).toEqual([]);
  });

  it('runs a recurring job repeatedly, first after its interval', async () => {
    const before = Date.now();
    const job = valueOf(await sched('scheduler.every', 'record', 1000, { payload: 'tick' }));
    expect(job.intervalMs).toBe(1000);
    expect(Date.parse(job.runAt)).toBeGreaterThanOrEqual(before + 1000);
    await waitForRecords(runs, (r) => r.event === 'job' && r.id === job.id, 3, 15_000);
    const seen = runsOf(runs, job.id);
    expect(seen[0].ranAt).toBeGreaterThanOrEqual(Date.parse(job.runAt));
    for (let i = 1; i < seen.length; i++)
      expect(Date.parse(seen[i].runAt)).toBeGreaterThan(Date.parse(seen[i - 1].runAt));
    expect(seen.every((r) => r.attempt === 1 && r.payload === 'tick')).toBe(true);
    expect(valueOf(await sched('scheduler.cancel', job.id))).toBe(true);
  });

  it('retries a failing job with backoff and reports its errors in the plugin log', async () => {
    const job = valueOf(await sched('scheduler.schedule', 'flaky', { payload: { failTimes: 2 } }));
    await waitForRun(runs, job.id, (r) => r.attempt === 3, 20_000);
    const attempts = runsOf(runs, job.id);
    expect(attempts.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(Date.parse(attempts[1].runAt)).toBeGreaterThan(attempts[0].ranAt);
    for (const r of attempts) expect(r.ranAt).toBeGreaterThanOrEqual(Date.parse(r.runAt));
    const errors = (await pluginLogs(host, 'sched')).filter((e) => e.level === 'error' && e.message.includes(job.id));
    expect(errors.map((e) => e.message)).toEqual([
      expect.stringContaining('flaky job failed on attempt 1'),
      expect.stringContaining('flaky job failed on attempt 2'),
    ]);
    expect(valueOf<any[]>(await sched('scheduler.list')).map((j) => j.id)).not.toContain(job.id);
  });

  it('denies every scheduler call without the permission, with no side effect', async () => {
    for (const [id, call] of [
      ['bare', bare],
      ['refused', refused],
    ] as const) {
      expectDenied(await call('scheduler.schedule', 'record', { payload: 'denied' }), 'scheduler');
      expectDenied(await call('scheduler.every', 'record', 1000), 'scheduler');
      expectDenied(await call('scheduler.cancel', 'some-id'), 'scheduler');
      expectDenied(await call('scheduler.list'), 'scheduler');
      expect((await registrations(host, id))['scheduler.handle:record']).toMatchObject({
        ok: false,
        code: 'permission_denied',
        permission: 'scheduler',
      });
      expect((await auditOf(host, id)).filter((e) => e.capability === 'scheduler')).toEqual([]);
    }
    expect((await registrations(host, 'sched'))['scheduler.handle:record']).toMatchObject({ ok: true });
  });

  it('keeps the jobs of a disabled plugin until it is enabled again', async () => {
    const job = valueOf(await sleeper('scheduler.schedule', 'record', { delayMs: 1500, payload: 'asleep' }));
    const disabled = await host.http('POST', '/v1/admin/plugins/sleeper/disable', { token: 'admin' });
    expect(disabled.status, JSON.stringify(disabled.body)).toBe(200);
    await sentinel(3000);
    expect(runsOf(runs, job.id)).toEqual([]);
    const enabledAt = Date.now();
    const enabled = await host.http('POST', '/v1/admin/plugins/sleeper/enable', { token: 'admin' });
    expect(enabled.body.status).toBe('running');
    const run = await waitForRun(runs, job.id);
    expect(run.ranAt).toBeGreaterThanOrEqual(enabledAt);
    expect(run.payload).toBe('asleep');
  });
});

describe('plugin scheduler across hosts', () => {
  it('keeps a job across a restart and runs it exactly once', async () => {
    const runs = recordFile('scheduler-restart');
    const config = { plugins: { enabled: [plugin('durable', runs)] } };
    const first = await startTestHost({ config });
    let second: TestHost | null = null;
    try {
      const user = await first.createUser();
      const room = await roomWith(first, user, ['durable']);
      const job = valueOf(
        await prober(
          first,
          user,
          room.id,
          'durable',
        )('scheduler.schedule', 'record', { delayMs: 3000, payload: 'survivor' }),
      );
      await first.stopHostOnly();
      expect(runsOf(runs, job.id)).toEqual([]);
      second = await startTestHost({ config, database: first.database });
      const call = prober(second, user, room.id, 'durable');
      const run = await waitForRun(runs, job.id);
      expect(run).toMatchObject({ payload: 'survivor', attempt: 1 });
      const after = valueOf(await call('scheduler.schedule', 'record', { delayMs: 1000, payload: 'after' }));
      await waitForRun(runs, after.id);
      expect(runsOf(runs, job.id)).toHaveLength(1);
      // The handler records its run before the host marks the job done: the list empties after.
      await eventually(async () => valueOf<unknown[]>(await call('scheduler.list')).length === 0, {
        what: 'the jobs that ran to leave the list',
      });
      expect(runsOf(runs, job.id)).toHaveLength(1);
    } finally {
      await second?.stop();
      await first.stop();
    }
  });

  it.runIf(testDatabaseKind === 'postgres')('runs each due job once when two hosts share the database', async () => {
    const runs = recordFile('scheduler-shared');
    const config = { plugins: { enabled: [plugin('shared', runs)] } };
    const first = await startTestHost({ config });
    const second = await startTestHost({ config, database: first.database });
    try {
      const user = await first.createUser();
      const room = await roomWith(first, user, ['shared']);
      const call = prober(first, user, room.id, 'shared');
      const jobs = await Promise.all(
        Array.from({ length: 100 }, (_, i) =>
          call('scheduler.schedule', 'record', { delayMs: 1000, payload: i }).then(valueOf),
        ),
      );
      // One read of the record per check: the hosts share this process, so the wait must not starve them.
      await eventually(
        () => {
          const ran = new Set(readRecords(runs).map((r) => r.event === 'job' && r.id));
          return jobs.every((j) => ran.has(j.id));
        },
        { timeoutMs: 25_000, what: 'every job to run' },
      );
      const last = valueOf(await call('scheduler.schedule', 'record', { delayMs: 1000, payload: 'last' }));
      await waitForRun(runs, last.id);
      expect(jobs.map((j) => runsOf(runs, j.id).length)).toEqual(Array(100).fill(1));
    } finally {
      await second.stop();
      await first.stop();
    }
  });
});
