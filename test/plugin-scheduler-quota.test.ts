/**
 * The scheduler quota: a plugin's pending jobs are limited in number (scope.maxJobs, default
 * 1,000) and in payload bytes (scope.quotaBytes, default 1 MiB), as its manifest asks and the
 * operator narrows. Past either, scheduling is refused with storage_quota_exceeded, also under
 * concurrent calls; once jobs run or are cancelled, there is room again.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import {
  enable,
  probeManifest,
  prober,
  readRecords,
  recordFile,
  roomWith,
  valueOf,
  waitForRecord,
  waitForRecords,
  type Probe,
} from './support/plugin-helpers.js';

const ENTRY = join(repoRoot, 'test/fixtures/plugins/scheduler-probe/index.ts');
const FAR = 600_000;

function plugin(id: string, file: string, scheduler: Record<string, number>, grants?: Record<string, number>) {
  const manifest = probeManifest(id, { entry: ENTRY, command: id, permissions: { commands: {}, scheduler } });
  return enable(manifest, {
    settings: { command: id, recordFile: file },
    ...(grants ? { grants: { scheduler: grants } } : {}),
  });
}

const pending = async (call: Probe) => valueOf<any[]>(await call('scheduler.list'));

describe('plugin scheduler quota', () => {
  const runs = recordFile('scheduler-quota');
  let host: TestHost;
  let user: TestUser;
  let counted: Probe;
  let sized: Probe;
  let roomy: Probe;
  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            // Asks for 10 jobs; the operator grants 5.
            plugin('counted', runs, { maxJobs: 10 }, { maxJobs: 5 }),
            // Asks for 1,000 payload bytes; a larger grant does not raise it.
            plugin('sized', runs, { quotaBytes: 1000 }, { quotaBytes: 50_000 }),
            // Asks for nothing: the defaults.
            plugin('roomy', runs, {}),
          ],
        },
      },
    });
    user = await host.createUser();
    const room = await roomWith(host, user, ['counted', 'sized', 'roomy']);
    [counted, sized, roomy] = ['counted', 'sized', 'roomy'].map((c) => prober(host, user, room.id, c)) as [
      Probe,
      Probe,
      Probe,
    ];
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('refuses a job past maxJobs (the smaller of asked and granted), one-off or recurring', async () => {
    const jobs = [];
    for (let n = 0; n < 4; n++)
      jobs.push(valueOf(await counted('scheduler.schedule', 'record', { delayMs: FAR, payload: n })));
    jobs.push(valueOf(await counted('scheduler.every', 'record', FAR, { key: 'tick' })));
    const refused = await counted('scheduler.schedule', 'record', { delayMs: FAR });
    expect(refused).toMatchObject({ ok: false, code: 'storage_quota_exceeded' });
    expect(!refused.ok && refused.message).toMatch(/maxJobs\) is 5\b/);
    expect(await counted('scheduler.every', 'record', FAR)).toMatchObject({
      ok: false,
      code: 'storage_quota_exceeded',
    });
    // A key that exists adds nothing, so it still answers its job.
    expect(valueOf(await counted('scheduler.every', 'record', FAR, { key: 'tick' }))).toEqual(jobs[4]);
    expect(await pending(counted)).toHaveLength(5);
    // Cancelling makes room for exactly one.
    expect(valueOf(await counted('scheduler.cancel', jobs[0].id))).toBe(true);
    expect(valueOf(await counted('scheduler.schedule', 'record', { delayMs: FAR })).name).toBe('record');
    expect(await counted('scheduler.schedule', 'record', { delayMs: FAR })).toMatchObject({
      ok: false,
      code: 'storage_quota_exceeded',
    });
    for (const job of await pending(counted)) expect(valueOf(await counted('scheduler.cancel', job.id))).toBe(true);
  });

  it('holds maxJobs under concurrent schedules', async () => {
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, (_, n) => counted('scheduler.schedule', 'record', { delayMs: FAR, payload: n })),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(5);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.code)).toEqual(Array(7).fill('storage_quota_exceeded'));
    expect(await pending(counted)).toHaveLength(5);
    for (const job of await pending(counted)) expect(valueOf(await counted('scheduler.cancel', job.id))).toBe(true);
  });

  it('has room again once a job has run', async () => {
    for (let n = 0; n < 4; n++) valueOf(await counted('scheduler.schedule', 'record', { delayMs: FAR }));
    // The fifth job, when it runs, asks for a sixth: refused while it is itself still pending.
    const spawn = valueOf(await counted('scheduler.schedule', 'spawn', { payload: { bytes: 10 } }));
    const spawned = await waitForRecord(runs, (r) => r.event === 'spawned' && r.from === spawn.id);
    expect(spawned).toMatchObject({ ok: false, code: 'storage_quota_exceeded' });
    // A one-off job is deleted once its handler has returned; then there is room.
    await eventually(async () => (await pending(counted)).length === 4, {
      timeoutMs: 10_000,
      what: 'the job that ran to be deleted',
    });
    expect(valueOf(await counted('scheduler.schedule', 'record', { delayMs: FAR })).name).toBe('record');
    expect(await counted('scheduler.schedule', 'record', { delayMs: FAR })).toMatchObject({
      ok: false,
      code: 'storage_quota_exceeded',
    });
    for (const job of await pending(counted)) expect(valueOf(await counted('scheduler.cancel', job.id))).toBe(true);
  });

  it('refuses a job whose payload would take the pending payloads past quotaBytes', async () => {
    // Each payload is 302 bytes of JSON: three fit in 1,000, a fourth does not.
    const payload = 'p'.repeat(300);
    const jobs = [];
    for (let n = 0; n < 3; n++)
      jobs.push(valueOf(await sized('scheduler.schedule', 'record', { delayMs: FAR, payload })));
    const refused = await sized('scheduler.schedule', 'record', { delayMs: FAR, payload });
    expect(refused).toMatchObject({ ok: false, code: 'storage_quota_exceeded' });
    expect(!refused.ok && refused.message).toMatch(/1208 bytes .*quotaBytes\) is 1000\b/);
    expect(await sized('scheduler.every', 'record', FAR, { payload })).toMatchObject({
      ok: false,
      code: 'storage_quota_exceeded',
    });
    // A small payload still fits in what is left.
    const small = valueOf(await sized('scheduler.schedule', 'record', { delayMs: FAR, payload: 'small' }));
    expect(valueOf(await sized('scheduler.cancel', jobs[0].id))).toBe(true);
    expect(valueOf(await sized('scheduler.schedule', 'record', { delayMs: FAR, payload })).payload).toBe(payload);
    for (const job of [...(await pending(sized)), small]) await sized('scheduler.cancel', job.id);
    expect(await pending(sized)).toEqual([]);
  });

  it('defaults to 1 MiB of payloads, held when jobs schedule jobs concurrently', async () => {
    // A command cannot carry 64 KiB, so `spawn` jobs schedule the large ones: 17 at once, each
    // wanting 65,002 bytes; 16 fit in 1,048,576 (with the spawn jobs' own small payloads), the 17th does not.
    const spawns = await Promise.all(
      Array.from({ length: 17 }, () =>
        roomy('scheduler.schedule', 'spawn', { payload: { bytes: 65_000 } }).then(valueOf),
      ),
    );
    const ids = new Set(spawns.map((s) => s.id));
    const outcomes = await waitForRecords(runs, (r) => r.event === 'spawned' && ids.has(r.from), 17, 20_000);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(16);
    expect(outcomes.filter((o) => !o.ok).map((o) => o.code)).toEqual(['storage_quota_exceeded']);
    const big = outcomes.filter((o) => o.ok).map((o) => o.jobId as string);
    // Cancelling one big job makes room for another.
    expect(valueOf(await roomy('scheduler.cancel', big.pop()))).toBe(true);
    const again = valueOf(await roomy('scheduler.schedule', 'spawn', { payload: { bytes: 65_000 } }));
    const spawned = await waitForRecord(runs, (r) => r.event === 'spawned' && r.from === again.id, 10_000);
    expect(spawned).toMatchObject({ ok: true });
    for (const id of [...big, spawned.jobId]) expect(valueOf(await roomy('scheduler.cancel', id))).toBe(true);
    await eventually(async () => (await pending(roomy)).length === 0, {
      timeoutMs: 10_000,
      what: 'every job of roomy to be gone',
    });
    expect(readRecords(runs).filter((r) => r.event === 'job' && r.plugin === 'roomy' && r.name === 'record')).toEqual(
      [],
    );
  });
});
