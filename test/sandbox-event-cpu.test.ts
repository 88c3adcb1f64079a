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
    permissions: { storage: {} },
    limits,
  });
  m.contributes = {
    services: [
      { name: 'crunch', description: 'Works for as long as asked.' },
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
        enable(cruncher()),
        // Shared by two callers: half of its 400 ms a minute is each one's share.
        enable(cruncher('shared', { cpuMsPerMinute: 400 })),
        serviceCallerPlugin(['cruncher.crunch', 'cruncher.hash', 'shared.crunch'], 'call'),
        serviceCallerPlugin(['shared.crunch'], 'greedy', 'greedy-caller'),
      ],
      ['cruncher', 'shared'],
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
  const crunch = (input: { spinMs: number; steps?: number }) => call('cruncher.crunch', input);

  it('is its own work alone: many calls at once, together far past one budget, all succeed', async () => {
    // Each call uses at most a quarter of its budget; the 16 together use four budgets' worth
    // while every one of them is open. Light calls run among them.
    const heavy = Array.from({ length: 16 }, () => crunch({ spinMs: CPU_MS_PER_EVENT / 4 }));
    const light = Array.from({ length: 8 }, () => crunch({ spinMs: 0, steps: 2 }));
    const outcomes = await Promise.all([...heavy, ...light]);
    expect(outcomes.filter((o) => !o.ok)).toEqual([]);
    const health = await appHealth(host, 'cruncher');
    expect(health).toMatchObject({ state: 'running', restarts: 0, failedEvents: 0, failures: {} });
    expect(health.events).toBeGreaterThanOrEqual(24);
  });

  it('follows an event through the calls it awaits: spent over several entries, its budget still stops it', async () => {
    // Each step is under the budget on its own; the steps together are past it.
    const outcome = await crunch({ spinMs: CPU_MS_PER_EVENT / 2, steps: 4 });
    expect(outcome).toMatchObject({ ok: false, code: 'plugin_failed' });
    const health = await appHealth(host, 'cruncher');
    // The event failed; its steps were each under the budget, so the isolate was not cut off.
    expect(health).toMatchObject({ state: 'running', restarts: 0, failedEvents: 1, failures: { cpu_limit: 1 } });
    expect(health.lastFailure?.message).toBe(`The event used more than its ${CPU_MS_PER_EVENT} ms CPU budget.`);
  });

  it('bounds the bytes of host calls in flight: past them a call fails at once, and in turn all go', async () => {
    // A million CJK characters are 3 MB of UTF-8: one such call goes alone, not two at once.
    const outcome = await call('cruncher.hash', { calls: 3, chars: 1_000_000 });
    expect(outcome.ok, JSON.stringify(outcome).slice(0, 500)).toBe(true);
    const { atOnce, inTurn } = (outcome as { value: { output: any } }).value.output;
    expect(atOnce[0]).toEqual({ ok: true });
    for (const refused of atOnce.slice(1))
      expect(refused).toMatchObject({
        ok: false,
        code: 'sandbox_limit',
        message: expect.stringContaining(`would pass ${BOUNDARY_LIMITS.maxPendingBytes}`),
      });
    expect(inTurn).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    expect(await appHealth(host, 'cruncher')).toMatchObject({ state: 'running', pendingCalls: 0 });
  });

  it("gives one caller at most half of an app's CPU a minute: past it only that caller is refused", async () => {
    let refused: Outcome | undefined;
    // Each call uses at most 50 ms of CPU (less on a busy machine): the share of 200 ms is used
    // up after four such calls or more.
    for (let i = 0; i < 200 && !refused; i++) {
      const outcome = await call('shared.crunch', { spinMs: 50 }, 'greedy');
      if (!outcome.ok) refused = outcome;
    }
    expect(refused).toMatchObject({
      ok: false,
      code: 'sandbox_limit',
      status: 429,
      message: expect.stringContaining('Calls from greedy-caller used'),
    });
    // The other caller, and the app, go on.
    expect(await call('shared.crunch', { spinMs: 0 })).toMatchObject({ ok: true });
    expect(await appHealth(host, 'shared')).toMatchObject({ state: 'running', failedEvents: 0, failures: {} });
  });
});
