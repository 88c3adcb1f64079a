/**
 * Limits that hold whatever the app does with its values and after its events end: what crosses
 * the boundary is copied under bounds inside the isolate and checked again in the worker; builtins
 * that ignore termination cost the app its worker, not its neighbour; ArrayBuffers count against
 * the memory limit; work an event left running is bounded; thrown values that cannot be described
 * fail at once; an app that broke its own runtime is recreated. Every attack runs next to an
 * innocent app in the same worker (see attack-bench.ts for what is checked after each).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTACKER_LIMITS, expectStopped, startAttackBench, type AttackBench } from './support/attack-bench.js';
import { appHealth, runOp, waitForApp } from './support/sandbox-helpers.js';

describe('sandbox limits', () => {
  let bench: AttackBench;
  const attack: AttackBench['attack'] = (op, settled) => bench.attack(op, settled);

  beforeAll(async () => {
    bench = await startAttackBench();
  });
  afterAll(async () => {
    await bench?.host.stop();
  });

  it('copies what crosses with bounds of its own: no toJSON, getter, depth, size or count gets past', async () => {
    const { result, after, before } = await attack('tojson-deep');
    expect(result.status).toBe(200);
    const v = result.value;
    // Object.prototype.toJSON returned 5,000 nested arrays; it is never called on the way out.
    expect(v.viaToJson).toMatchObject({ ok: true });
    expect(v.stored).toEqual({ a: 1 });
    expect(v.direct).toMatchObject({
      ok: false,
      name: 'TypeError',
      message: expect.stringContaining('nested deeper than 64'),
    });
    expect(v.getter).toMatchObject({ ok: false, name: 'TypeError', message: expect.stringContaining('is a getter') });
    expect(v.huge).toMatchObject({ ok: false, name: 'TypeError', message: expect.stringContaining('characters') });
    // The worker never hung: the app was not restarted.
    expect(after.restarts).toBe(before.restarts);
    const wide = await attack('wide-arg');
    expect(wide.result.value).toMatchObject({
      ok: false,
      name: 'TypeError',
      message: expect.stringContaining('100000 values'),
    });
  });

  it.each(['throw-undescribable', 'throw-revoked-proxy'])(
    'fails an event at once when its thrown value cannot be described (%s)',
    async (op) => {
      const r = await attack(op);
      expectStopped(r, ['error']);
      expect(r.result.status).toBe(502);
      expect(r.after.lastFailure!.message).toMatch(/cannot be described/);
      // Not waited out: no timeout was recorded for it.
      expect(r.after.failures.timeout ?? 0).toBe(r.before.failures.timeout ?? 0);
    },
  );

  it('ends the worker of an app whose builtin ignores termination, blames that app, and restarts its neighbour free', async () => {
    const r = await attack(
      'indexof-hostage',
      (before, now) => now.workerPid !== null && now.workerPid !== before.workerPid && now.state === 'running',
    );
    expectStopped(r, ['unresponsive']);
    expect(r.after.workerPid).not.toBe(r.before.workerPid);
    expect(r.neighbour.collateralRestarts).toBe(r.neighbourBefore.collateralRestarts + 1);
  });

  it('charges the app whose fill() over a huge array-like ends its worker, and restarts its neighbour free', async () => {
    const r = await attack('fill-hostage', (before, now) => now.state === 'running' && now.restarts > before.restarts);
    expectStopped(r, ['memory', 'worker_crash', 'cpu_limit', 'unresponsive']);
    // Its neighbour either kept its worker or restarted with nothing against it (attack() checks that).
    if (r.after.workerPid !== r.before.workerPid)
      expect(r.neighbour.collateralRestarts).toBe(r.neighbourBefore.collateralRestarts + 1);
  });

  it('refuses resizable ArrayBuffers, whose memory would escape the limit, and keeps plain ones working', async () => {
    const { result } = await attack('resizable-buffer');
    expect(result.value).toEqual({
      construct: expect.stringMatching(/^threw RangeError: Resizable ArrayBuffers are not available/),
      viaInstance: expect.stringMatching(/^threw RangeError/),
      resize: 'undefined',
      transfer: 'undefined',
      plain: '1024',
      subclass: 'true',
    });
  });

  it("shows operators an app's ArrayBuffers as its external memory, and counts them against its limit", async () => {
    const { host, mallory, malloryRoom } = bench;
    expect((await runOp(host, mallory, malloryRoom, 'hold-buffers')).value).toBe(8);
    const health = await appHealth(host, 'attacker');
    expect(health.externalBytes).toBeGreaterThanOrEqual(8 * 1_048_576);
    expect(health.heapUsedBytes).toBeLessThan(health.externalBytes);
    // 1 MiB buffers until the 16 MiB limit: the isolate is disposed, not the worker grown.
    expectStopped(await attack('buffer-bomb'), ['memory', 'error']);
  });

  it('bounds host calls from work an event left running', async () => {
    const { host, mallory, malloryRoom } = bench;
    const r = await attack('detached-writes', (before, now) => now.restarts > before.restarts);
    expect(r.result.value).toBe('started');
    // 60 loops writing without end: once the event ended they had 120 calls a minute between
    // them, and the refusals they spun on cost them the isolate.
    // (Past an entry's one-way share, a call waits in the worker's dispatch, which can overshoot
    // isolated-vm's cut-off: then the watchdog stops the spin instead.)
    expect(r.after.lastFailure?.reason).toBeOneOf(['cpu_limit', 'unresponsive']);
    const written = (await runOp(host, mallory, malloryRoom, 'detached-count')).value as number;
    expect(written).toBeGreaterThan(0);
    expect(written).toBeLessThanOrEqual(ATTACKER_LIMITS.detachedCallsPerMinute + 60 + ATTACKER_LIMITS.maxPendingCalls);
  });

  it('limits message edits with sends', async () => {
    const { result } = await attack('edit-flood');
    expect(result.error).toBeNull();
    expect(result.value.code).toBe('sandbox_limit');
    // sendsPerMinute is 120 for this app (its first send took one; the bucket refills 2 a second).
    expect(result.value.edited).toBeGreaterThan(100);
    expect(result.value.edited).toBeLessThanOrEqual(125);
  });

  it("keeps an app's log bounded however much it writes", async () => {
    const { host } = bench;
    expect((await attack('log-bomb')).result.value).toBe('logged');
    const res = await host.http('GET', '/v1/admin/plugins/attacker/logs?limit=500', { token: 'admin' });
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.body).length).toBeLessThan(300 * 1024);
    const line = res.body.entries.find((e: { message: string }) => e.message.startsWith('line '));
    expect(JSON.stringify(line.data).length).toBeLessThanOrEqual(8 * 1024);
  });

  it('recreates an app that broke its own runtime after its events time out in a row', async () => {
    const { host, mallory, malloryRoom } = bench;
    const before = await appHealth(host, 'attacker');
    await runOp(host, mallory, malloryRoom, 'break-runtime');
    // Each event now waits out its deadline; after the third in a row the isolate is recreated.
    let answered = false;
    for (let i = 0; i < 8 && !answered; i++) {
      await waitForApp(host, 'attacker');
      answered = (await runOp(host, mallory, malloryRoom, 'echo again')).status === 200;
    }
    expect(answered).toBe(true);
    const after = await appHealth(host, 'attacker');
    expect(after.restarts).toBe(before.restarts + 1);
    expect((after.failures.timeout ?? 0) - (before.failures.timeout ?? 0)).toBeGreaterThanOrEqual(3);
    expect(after.lastFailure?.message).toMatch(/in a row/);
  });
});
