/**
 * The sandbox security suite: a hostile app tries each class of attack from inside its isolate.
 * Every attack must end with the app stopped or refused and the reason recorded, while the host
 * keeps answering another user (whose round trips and the host's event-loop delay are measured
 * throughout), and nothing that user sent is lost. An innocent app shares the attacker's worker
 * process throughout: after every attack it still serves, its data is intact, and nothing the
 * attacker did counts against it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAttackBench, expectStopped, type AttackBench } from './support/attack-bench.js';
import { fullHistory } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { GUEST_GLOBALS } from '../host/sandbox/rpc-protocol.js';
import { appHealth, runOp, startBystander, waitForApp } from './support/sandbox-helpers.js';

const HOST_PATHS = /\/work\/|node_modules|\/home\/|\/tmp\/|file:\/\/|\.ts:\d|sandbox-worker|app-isolate|isolated-vm/;

describe('sandbox security', () => {
  let bench: AttackBench;
  const attack: AttackBench['attack'] = (op, settled) => bench.attack(op, settled);

  beforeAll(async () => {
    bench = await startAttackBench();
  });
  afterAll(async () => {
    await bench?.host.stop();
  });

  it('gives the app no way out: no require, process, timers, network, WebAssembly, SharedArrayBuffer or Atomics', async () => {
    const r = await attack(`globals ${Object.values(GUEST_GLOBALS).join(',')}`);
    expect(r.result.status).toBe(200);
    expect(Object.keys(r.result.value)).toEqual(expect.arrayContaining(Object.values(GUEST_GLOBALS)));
    for (const [name, type] of Object.entries(r.result.value)) expect([name, type]).toEqual([name, 'undefined']);
  });

  it('keeps the constructor chain inside the isolate', async () => {
    const { result } = await attack('constructor-escape');
    expect(result.status).toBe(200);
    const v = result.value;
    expect(v.functionCtor).toBe('undefined');
    expect(v.thisGlobal).toBe('undefined');
    expect(v.errorCtor).toBe('undefined');
    expect(v.ctxCtor).toBe('undefined');
    // Stack frames expose only the isolate's own objects.
    expect(v.stackFrames).not.toMatch(/object|function/);
  });

  it('refuses prototype pollution of host objects; a forged JSON.stringify shapes nothing that crosses', async () => {
    const { result } = await attack('pollute-host');
    expect(result.status).toBe(200);
    const v = result.value;
    expect(v.protoKey).toMatchObject({
      ok: false,
      code: 'invalid_request',
      message: expect.stringContaining('__proto__'),
    });
    // The runtime serializes with builtins captured before the app ran: the forged text never crosses.
    expect(v.forgedJson).toMatchObject({ ok: true });
    expect(v.notArray).toMatchObject({ ok: true });
    expect(v.storedX).toBe(1);
    expect(({} as any).polluted).toBeUndefined();
    expect(Object.prototype.toString.call([])).toBe('[object Array]');
  });

  it('refuses functions, symbols, bigints, proxies and class instances at the boundary', async () => {
    const { result } = await attack('pass-exotic');
    const v = result.value;
    expect(v.fn).toMatchObject({ ok: false, name: 'TypeError', message: expect.stringContaining('is a function') });
    expect(v.symbol).toMatchObject({ ok: false, name: 'TypeError', message: expect.stringContaining('symbol') });
    expect(v.bigint).toMatchObject({ ok: false, name: 'TypeError', message: expect.stringContaining('bigint') });
    expect(v.proxy).toMatchObject({ ok: false, message: 'trap' });
    expect(v.classInstance).toMatchObject({
      ok: false,
      name: 'TypeError',
      message: expect.stringContaining('not a plain object'),
    });
    expect(v.handlerNotFunction).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(v.stored.filter((key: string) => ['f', 's', 'b', 'p', 'd'].includes(key))).toEqual([]);
  });

  it('lets no host path or internal reach the app through errors or stacks', async () => {
    const { result } = await attack('host-error');
    const v = result.value;
    expect(v.badKey).toMatchObject({ ok: false, code: 'invalid_request' });
    expect(v.notMember).toMatchObject({ ok: false, code: 'conversation_not_found' });
    for (const text of [v.badKey.stack, v.badKey.message, v.notMember.stack, v.ownStack])
      expect(text).not.toMatch(HOST_PATHS);
    expect(JSON.stringify(await appHealth(bench.host, 'attacker'))).not.toMatch(/\.ts:\d|node_modules/);
  });

  it.each([
    ['loop-sync', ['cpu_limit']],
    // The microtask loop answers first and spins after; its endless promises may meet the memory limit first.
    ['loop-microtask', ['cpu_limit', 'memory']],
    ['loop-after-await', ['cpu_limit']],
  ])('stops an infinite loop (%s) and recreates the isolate', async (op, reasons) => {
    const r = await attack(op, (before, now) => now.restarts > before.restarts);
    if (op === 'loop-microtask') expect(r.result.status).toBe(200);
    else expectStopped(r, reasons);
    expect(r.after.lastFailure?.reason).toBeOneOf(reasons);
    expect(r.after.restarts).toBe(r.before.restarts + 1);
  });

  it('bounds a flood of synchronous host calls by the pending-call limit', async () => {
    const { result } = await attack('flood-sync');
    expect(result.status).toBe(200);
    expect(result.value.fulfilled).toBeLessThanOrEqual(16);
    expect(result.value.refused).toBe(5_000 - result.value.fulfilled);
    expect(result.value.code).toBe('sandbox_limit');
  });

  it('stops a flood of asynchronous host calls at the event deadline', async () => {
    expectStopped(await attack('flood-async'), ['timeout', 'cpu_limit']);
  });

  it.each([
    // A builtin such as fill() may not heed the CPU cut-off at once: then the watchdog disposes
    // the isolate (unresponsive). V8 may also abort the whole worker (a catastrophic OOM): the
    // host replaces it. Each is the app stopped, with the reason recorded.
    ['memory-growing-array', ['memory', 'cpu_limit', 'unresponsive']],
    ['memory-huge-array', ['memory', 'error', 'cpu_limit', 'unresponsive', 'worker_crash']],
    ['memory-string-doubling', ['memory', 'error']],
    ['memory-arraybuffer', ['memory', 'error']],
    ['memory-wasm', ['error']],
  ])('survives a memory bomb (%s)', async (op, reasons) => {
    expectStopped(await attack(op), reasons);
  });

  it('stops deep recursion as an error of that event only', async () => {
    const r = await attack('recursion');
    expectStopped(r, ['error']);
    expect(r.after.lastFailure!.message).toMatch(/call stack/i);
    expect(r.after.restarts).toBe(r.before.restarts);
  });

  it('times out a promise that never resolves, and the app keeps running', async () => {
    const r = await attack('never-resolves');
    expect(r.result.status).toBe(504);
    expect(r.after.lastFailure?.reason).toBe('timeout');
    expect(r.after.restarts).toBe(r.before.restarts);
  });

  it('refuses capabilities the app was not granted, naming the permission', async () => {
    const { result } = await attack('ungranted');
    const v = result.value;
    expect(v.users).toMatchObject({
      ok: false,
      code: 'permission_denied',
      permission: 'users.read',
      name: 'PermissionDeniedError',
    });
    expect(v.service).toMatchObject({ ok: false, code: 'permission_denied', permission: 'services.call' });
    expect(v.schedulerHandle).toMatchObject({ ok: false, code: 'permission_denied', permission: 'scheduler' });
    for (const o of [v.users, v.service, v.schedulerHandle]) expect(o.message).toMatch(/grant/);
  });

  it("hands the app host errors as its own SDK's error classes", async () => {
    const { result } = await attack('error-classes');
    expect(result.value).toEqual({
      conflict: true,
      conflictCode: 'storage_conflict',
      denied: true,
      deniedIsSwitchboardError: true,
      conflictIsPermissionDenied: false,
      plainError: false,
    });
  });

  it("cannot touch another app's storage or conversations", async () => {
    const { result } = await attack('recall');
    expect(result.value).not.toBe('bystander-secret');
    const { host, mallory, malloryRoom, bob, bobRoom } = bench;
    const send = await runOp(host, mallory, malloryRoom, `send ${bobRoom}`);
    // The host's refusal, which the app let through, reaches the user as a trusted plugin's would.
    expect(send.status).toBe(404);
    expect(send.error.code).toBe('conversation_not_found');
    const history = await fullHistory(host.url, bob.token, bobRoom);
    expect(history.filter((m) => m.content?.text === 'from the app')).toEqual([]);
  });

  it('replaces a worker process killed from outside, and holds it against neither app sharing it', async () => {
    const { host, mallory, malloryRoom, bob, bobRoom, bystanderRoom } = bench;
    const before = await waitForApp(host, 'attacker');
    const other = await waitForApp(host, 'bystander');
    expect(before.workerPid).toBe(other.workerPid);
    const bystander = startBystander(host, bob, bobRoom);
    process.kill(before.workerPid!, 'SIGKILL');
    await eventually(
      async () => (await appHealth(bench.host, 'bystander')).collateralRestarts !== other.collateralRestarts,
      { intervalMs: 20, what: 'the bystander to count a collateral restart' },
    );
    const after = await waitForApp(host, 'attacker', 'running');
    const neighbour = await waitForApp(host, 'bystander', 'running');
    const measured = await bystander.stop();
    expect(measured.failed).toBe(0);
    expect(after.workerPid).not.toBe(before.workerPid);
    // Two apps shared the worker and neither was to blame: both restart, with no failure recorded.
    expect(after.failures).toEqual(before.failures);
    expect(neighbour.failures).toEqual(other.failures);
    expect(after.collateralRestarts).toBe(before.collateralRestarts + 1);
    expect(neighbour.collateralRestarts).toBe(other.collateralRestarts + 1);
    expect((await runOp(host, mallory, malloryRoom, 'echo back')).value).toMatchObject({ arg: 'back' });
    expect((await runOp(host, bob, bystanderRoom, 'recall')).value).toBe('bystander-secret');
  });
});
