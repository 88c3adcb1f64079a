/**
 * An event of a sandboxed app is charged the CPU of its own work: the entries into the isolate
 * that ran it, and those that resumed the calls it made. Other events of the same app, running at
 * the same time, are not its to pay for; so a caller that sends many heavy calls to an app's
 * service fails none of that app's other work, and cannot open its circuit breaker. And what an
 * app's host calls carry at once through the worker it shares is bounded in bytes.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import { enable, roomWith, runCommand, serviceCallerPlugin } from './support/plugin-helpers.js';
import { appHealth, appManifest, startSandboxHost } from './support/sandbox-helpers.js';
import type { Outcome } from './fixtures/plugins/svc-caller/index.js';
import { BOUNDARY_LIMITS } from '../sdk/app/boundary-limits.js';

const CPU_MS_PER_EVENT = 150;

function cruncher(id = 'cruncher', limits: Record<string, number> = { cpuMsPerEvent: CPU_MS_PER_EVENT }) {
  const m = appManifest(id, {
    entry: join(repoRoot, 'test/fixtures/apps/cruncher/index.ts'),
    permissions: { storage: {}, secrets: {} },
    limits,
  });
  m.contributes = {
    services: [
      { name: 'crunch', description: 'Works for as long as asked.' },
      { name: 'stop', description: 'Ends a crunch.' },
      { name: 'secrets', description: 'Hashes secrets.' },
      { name: 'hash', description: 'Hashes as much as asked.' },
    ],
  };
  return m;
}

describe('the CPU an event of a sandboxed app is charged', () => {
  let host: TestHost;
  let user: TestUser;
  let room: any;

  beforeAll(async () => {
    ({ host, user } = await startSandboxHost(
      [
        // A minute large enough that its callers' shares (calls under way count ahead of their
        // cost) leave 40 calls at once alone: what is tested here is each event's own budget.
        enable(cruncher('cruncher', { cpuMsPerEvent: CPU_MS_PER_EVENT, cpuMsPerMinute: 60_000, secretsPerMinute: 3 })),
        // Sends megabytes: the worker's time on them is its CPU, and as many a minute as it may ask
        // for (what is tested with it is the bytes in flight).
        enable(cruncher('hasher', { cpuMsPerEvent: 1000, cpuMsPerMinute: 60_000, callMbPerMinute: 100_000 })),
        // Shared by two callers: half of its 400 ms a minute is each one's share.
        enable(cruncher('shared', { cpuMsPerMinute: 400 })),
        // Asked for more than it can do within a short deadline.
        enable(cruncher('queued', { eventTimeoutMs: 300, cpuMsPerMinute: 60_000 })),
        enable(cruncher('fragile')),
        serviceCallerPlugin(
          [
            'cruncher.crunch',
            'cruncher.stop',
            'hasher.hash',
            'cruncher.secrets',
            'shared.crunch',
            'queued.crunch',
            'fragile.crunch',
          ],
          'call',
        ),
        serviceCallerPlugin(['shared.crunch'], 'greedy', 'greedy-caller'),
      ],
      ['cruncher', 'hasher', 'shared', 'queued', 'fragile'],
      // A crashed app waits a while before its restart: calls meanwhile meet it restarting.
      {
        restart: { baseDelayMs: 2_000, maxDelayMs: 2_000, maxFailures: 5, windowMs: 60_000 },
        maxLimits: { callMbPerMinute: 100_000 },
      },
    ));
    room = await roomWith(host, user, ['refusals-caller', 'greedy-caller']);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const call = async (service: string, input: object, command = 'call'): Promise<Outcome> => {
    const res = await runCommand(host, user, room.id, `/${command} call ${JSON.stringify([service, input])}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return JSON.parse(res.body.reply.text) as Outcome;
  };
  const crunch = (input: { spinMs: number; steps?: number; untilStopped?: boolean }) => call('cruncher.crunch', input);

  it('is its own work alone: many calls at once, together far past one budget, all succeed', async () => {
    // Each call uses at most an eighth of its budget (small steps: a step's watch reads the wall
    // clock while it runs, and a loaded machine may pause it); the 32 together use four budgets'
    // worth while every one of them is open. Light calls run among them.
    const heavy = Array.from({ length: 32 }, () => crunch({ spinMs: CPU_MS_PER_EVENT / 8 }));
    const light = Array.from({ length: 8 }, () => crunch({ spinMs: 0, steps: 2 }));
    const outcomes = await Promise.all([...heavy, ...light]);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    const health = await appHealth(host, 'cruncher');
    expect(health).toMatchObject({ state: 'running', restarts: 0, failedEvents: 0, failures: {} });
    expect(health.events).toBeGreaterThanOrEqual(40);
  });

  it('follows an event through the calls it awaits: spent over several entries, its budget still stops it', async () => {
    // Each step is far under the budget; it steps until its CPU, however slowly it comes on a
    // busy machine, is past the budget and the event fails; then the work is stopped.
    const outcome = await crunch({ spinMs: 10, steps: 10_000, untilStopped: true });
    expect(await call('cruncher.stop', {})).toMatchObject({ ok: true });
    expect(outcome).toMatchObject({ ok: false, code: 'plugin_failed' });
    const health = await appHealth(host, 'cruncher');
    // The event failed; its steps were each under the budget, so the isolate was not cut off.
    expect(health).toMatchObject({ state: 'running', restarts: 0, failedEvents: 1, failures: { cpu_limit: 1 } });
    expect(health.lastFailure?.message).toBe(`The event used more than its ${CPU_MS_PER_EVENT} ms CPU budget.`);
  });

  it('bounds the bytes of host calls in flight: past them a call fails at once, and in turn all go', async () => {
    // A million CJK characters are 3 MB of UTF-8: one such call goes alone, not two at once.
    const outcome = await call('hasher.hash', { calls: 3, chars: 1_000_000, rounds: 5 });
    expect(outcome.ok, JSON.stringify(outcome).slice(0, 500)).toBe(true);
    const { atOnce, inTurn } = (outcome as { value: { output: any } }).value.output;
    expect(atOnce[0]).toEqual({ ok: true });
    const refusedAll = atOnce.filter((o: { ok: boolean }) => !o.ok);
    expect(refusedAll.length).toBeGreaterThan(0);
    for (const refused of refusedAll)
      expect(refused).toMatchObject({
        ok: false,
        code: 'sandbox_limit',
        message: expect.stringContaining(`would pass ${BOUNDARY_LIMITS.maxPendingBytes}`),
      });
    expect(inTurn).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(await appHealth(host, 'hasher')).toMatchObject({ state: 'running', pendingCalls: 0 });
  });

  /** Bursts of calls at once from `command`'s caller until one is refused; every outcome is ok or that refusal. */
  async function burstUntilRefused(command: string): Promise<Outcome> {
    for (let burst = 0; burst < 50; burst++) {
      const outcomes = await Promise.all(
        Array.from({ length: 20 }, () => call('shared.crunch', { spinMs: 20 }, command)),
      );
      for (const outcome of outcomes) if (!outcome.ok) expect(outcome).toMatchObject({ code: 'sandbox_limit' });
      const refused = outcomes.find((outcome) => !outcome.ok);
      if (refused) return refused;
    }
    throw new Error(`/${command}: no call was refused`);
  }

  it("gives one caller at most half of an app's CPU a minute, and all callers three quarters", async () => {
    // 20 calls at once, each at most 20 ms of CPU (less on a busy machine), burst after burst:
    // the share (200 ms of the app's 400) is spent within a burst or over several, and the calls
    // let in together past it are refused when their turn comes, not run. None times out.
    expect(await burstUntilRefused('greedy')).toMatchObject({
      code: 'sandbox_limit',
      status: 429,
      message: expect.stringContaining('Calls from greedy-caller used'),
      retryAfterMs: expect.any(Number),
    });
    // Another caller goes on, until the callers together have used their three quarters.
    expect(await call('shared.crunch', { spinMs: 0 })).toMatchObject({ ok: true });
    expect(await burstUntilRefused('call')).toMatchObject({
      message: expect.stringMatching(/^Calls from (the app's callers together|refusals-caller) used/),
    });
    // The app's minute is not spent: its own events would go on. Nothing counts against it.
    const health = await appHealth(host, 'shared');
    expect(health).toMatchObject({ state: 'running', restarts: 0, failedEvents: 0, failures: {} });
    expect(health.cpuMsLastMinute).toBeLessThan(400);
  });

  it('fails an event that waited past its deadline behind others alone, as overload, not against the app', async () => {
    // 30 calls of 40 ms at once take more than a 300 ms deadline: the last ones wait past it.
    const outcomes = await Promise.all(Array.from({ length: 30 }, () => call('queued.crunch', { spinMs: 40 })));
    const timedOut = outcomes.filter((outcome) => !outcome.ok);
    expect(timedOut.length).toBeGreaterThan(0);
    for (const outcome of timedOut)
      expect(outcome).toMatchObject({ code: 'plugin_timeout', message: expect.stringContaining('queued') });
    const health = await appHealth(host, 'queued');
    expect(health).toMatchObject({ state: 'running', restarts: 0, failures: { overloaded: timedOut.length } });
    expect(health.failures.timeout).toBeUndefined();
  });

  it("answers calls to a restarting app with unavailable, not as the app's failures", async () => {
    // One step past the event's CPU budget (200 ms by default) in one entry: the isolate is cut off
    // and recreated. The spin is wall time, of which a loaded machine gives the thread only part:
    // 5 s is far past the budget whatever the load, and the cut-off ends it at the budget.
    expect(await call('fragile.crunch', { spinMs: 5_000 })).toMatchObject({ code: 'plugin_failed' });
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => call('fragile.crunch', { spinMs: 0 })));
    for (const outcome of outcomes)
      expect(outcome).toMatchObject({ ok: false, code: 'unavailable', message: expect.stringContaining('restarting') });
    const health = await appHealth(host, 'fragile');
    expect(health.failures).toEqual({ cpu_limit: 1 });
    expect(health.state).toBe('restarting');
  });

  it('bounds the secrets an app hashes a minute (Argon2 runs on the host, not in the isolate)', async () => {
    const outcome = await call('cruncher.secrets', { calls: 5 });
    const got = (outcome as { value: { output: { ok: boolean; code?: string; retryAfterMs?: number }[] } }).value
      .output;
    expect(got.filter((g) => g.ok)).toHaveLength(3);
    for (const refused of got.filter((g) => !g.ok))
      expect(refused).toEqual({ ok: false, code: 'sandbox_limit', retryAfterMs: expect.any(Number) });
  });
});
