/**
 * The bounds on what crosses the sandbox boundary are checked twice, by the guest's serializer in
 * the isolate and again by the worker (and the host) on the text they receive. The two checks
 * must agree: whatever the guest lets through passes the later checks in the frame the runtime
 * puts around it (an event's result, a log line's data, a registration's arguments), and anything
 * past the bounds is answered `invalid_request`, the code the catalog gives it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_APP_LIMITS } from '../sdk/app/app-limits.js';
import { startAppHarness, type AppHarness } from '../sdk/testing/app-harness.js';
import { BOUNDARY_LIMITS } from '../sdk/app/boundary-limits.js';
import { boundedDataProblem } from '../host/sandbox/bounded-data.js';
import { toPlainJson } from '../host/sandbox/guest/plain-json.guest.js';
import { HANDLER_MARKER, RUNTIME_METHODS } from '../host/sandbox/rpc-protocol.js';
import { CallGate } from '../host/sandbox/worker/call-gate.js';
import { guestDispatch } from '../host/sandbox/worker/guest-dispatch.js';
import { repoRoot } from './support/e2e.js';
import { writeManifest } from './support/plugin-helpers.js';
import { appManifest } from './support/sandbox-helpers.js';

const { maxChars, maxDepth, maxNodes, frame } = BOUNDARY_LIMITS;

function nested(levels: number): unknown[] {
  let value: unknown = 0;
  for (let i = 0; i < levels; i++) value = [value];
  return value as unknown[];
}

/** Arrays exactly at each bound (as a call's arguments, or as a value), and one past it. */
const AT_BOUND: Record<string, [at: unknown[], past: unknown[]]> = {
  chars: [['x'.repeat(maxChars - 4)], ['x'.repeat(maxChars - 3)]],
  nodes: [new Array(maxNodes - 1).fill(0), new Array(maxNodes).fill(0)],
  depth: [nested(maxDepth), nested(maxDepth + 1)],
};

const gate = () => new CallGate(DEFAULT_APP_LIMITS, { eventOpen: () => true, cpuSpent: () => false });
const refusal = (admitted: ReturnType<CallGate['admit']>) => ('error' in admitted ? admitted.error : null);

describe('the sandbox boundary', () => {
  it.each(Object.keys(AT_BOUND))(
    "lets a value at the guest's %s bound through the worker and the host, in any frame",
    (bound) => {
      const [at, past] = AT_BOUND[bound]!;
      expect(() => toPlainJson(past, 'arguments')).toThrow(TypeError);
      const json = toPlainJson(at, 'arguments');
      const escapedMessage = toPlainJson('\u0000'.repeat(2000), 'message');
      const registration = `${json.slice(0, -1)},{${JSON.stringify(HANDLER_MARKER)}:1}]`;
      expect(refusal(gate().admit('storage.set', json, 1))).toBeNull();
      expect(gate().admit(RUNTIME_METHODS.done, `[7,true,${json}]`)).toMatchObject({ t: 'done', eventId: 7, ok: true });
      expect(gate().admit(RUNTIME_METHODS.log, `["info",${escapedMessage},${json}]`)).toMatchObject({
        t: 'log',
        level: 'info',
      });
      expect(gate().admit('commands.handle', registration, 1)).toMatchObject({ t: 'call', method: 'commands.handle' });
      // The host's own check of the call the worker forwards.
      expect(boundedDataProblem(JSON.parse(registration))).toBeNull();
    },
  );

  it('answers a call past a bound that reaches the worker with invalid_request', () => {
    const oversized = `["${'x'.repeat(maxChars + frame.chars)}"]`;
    expect(refusal(gate().admit('storage.set', oversized, 1))).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining(`at most ${maxChars} cross`),
    });
    expect(refusal(gate().admit('storage.set', JSON.stringify(nested(maxDepth + 2)), 1))).toMatchObject({
      code: 'invalid_request',
    });
    expect(
      refusal(gate().admit('storage.set', JSON.stringify(new Array(maxNodes + frame.nodes).fill(0)), 1)),
    ).toMatchObject({ code: 'invalid_request' });
  });

  it("bounds the arguments an app's calls carry: 4 MiB at once, then callMbPerMinute, refusing before reading", () => {
    const g = new CallGate(
      { ...DEFAULT_APP_LIMITS, callMbPerMinute: 4 },
      { eventOpen: () => true, cpuSpent: () => false },
    );
    const megabyte = JSON.stringify(['k', 'x'.repeat(1_000_000)]);
    // Each settled before the next, so the bytes in flight refuse none of them.
    for (let id = 1; id <= 4; id++) {
      expect(refusal(g.admit('storage.set', megabyte, id))).toBeNull();
      g.settled(id);
    }
    expect(refusal(g.admit('storage.set', megabyte, 5))).toMatchObject({
      code: 'sandbox_limit',
      retryAfterMs: expect.any(Number),
      message: expect.stringContaining('4 MiB of arguments a minute'),
    });
    // Refused by its length before it is parsed: not even read as JSON.
    expect(refusal(g.admit('storage.set', `${megabyte.slice(0, -1)}!`, 6))).toMatchObject({ code: 'sandbox_limit' });
    // What the refused calls would have carried was not spent: a small call still goes.
    expect(refusal(g.admit('storage.get', '["k"]', 7))).toBeNull();
  });

  it("charges the app the worker's time on what it sends out", () => {
    let spent = 0n;
    const dispatch = guestDispatch(
      gate(),
      { call: () => '{}', done: () => '{}', log: () => '{}', release: () => '{}' },
      () => {},
      (ns) => {
        spent += ns;
      },
    );
    dispatch('storage.set', JSON.stringify(['k', 'x'.repeat(100_000)]), 1, false);
    expect(spent).toBeGreaterThan(0n);
    const once = spent;
    // Refusals cost the worker too, and are charged alike.
    dispatch('no.such', '[]', 2, false);
    expect(spent).toBeGreaterThan(once);
  });

  it("answers a refused one-way call by its id, and never a call whose id is not the runtime's own", () => {
    const answered: [number, string | undefined][] = [];
    const g = gate();
    const dispatch = guestDispatch(
      g,
      { call: () => '{}', done: () => '{}', log: () => '{}', release: () => '{}' },
      (callId, error) => answered.push([callId, error.reason]),
      () => {},
    );
    for (let id = 1; id <= DEFAULT_APP_LIMITS.maxPendingCalls; id++)
      expect(dispatch('storage.get', '["k"]', id, true)).toBe('{}');
    // Past the calls in flight: the refusal reaches the call that was sent one-way.
    const past = DEFAULT_APP_LIMITS.maxPendingCalls + 1;
    expect(JSON.parse(dispatch('storage.get', '["k"]', past, true))).toMatchObject({
      error: { reason: 'pending_limit' },
    });
    expect(answered).toEqual([[past, 'pending_limit']]);
    // An id in flight already, or none the gate can use: refused, and no call is answered for it.
    for (const id of [1, 0, -3, 1.5, '7', undefined])
      expect(JSON.parse(dispatch('storage.get', '["k"]', id, true))).toMatchObject({
        error: { code: 'invalid_request' },
      });
    // Two-way, the refusal is the answer itself.
    g.pending.clear();
    expect(JSON.parse(dispatch('no.such', '[]', 900, false))).toMatchObject({ error: { code: 'invalid_request' } });
    expect(JSON.parse(dispatch('no.such', '[]', 901, true))).toMatchObject({ error: { code: 'invalid_request' } });
    expect(answered).toEqual([[past, 'pending_limit']]);
  });

  describe('in a running app', () => {
    let h: AppHarness;
    beforeAll(async () => {
      const entry = `${repoRoot}/test/fixtures/apps/boundary/index.ts`;
      h = await startAppHarness({
        // Building a result at a bound takes CPU: the operator's maximum per event keeps this suite
        // about the bounds, not about how busy the machine is.
        manifest: writeManifest(
          appManifest('boundary', { entry, permissions: { commands: {} }, limits: { cpuMsPerEvent: 1000 } }),
          'boundary',
        ),
      });
    });
    afterAll(async () => {
      await h?.stop();
    });

    it.each(['chars', 'nodes', 'depth'])('answers an event whose result is at the %s bound', async (op) => {
      const alice = await h.createUser();
      const room = await h.createGroup(alice);
      expect(await h.command(alice, room.id, `/run ${op}`)).toEqual({ text: 'ok' });
    });

    it('keeps a log line whose data is at the bound, with its data cut', async () => {
      const alice = await h.createUser();
      const room = await h.createGroup(alice);
      expect(await h.command(alice, room.id, '/run log')).toEqual({ text: 'ok' });
      const line = (await h.logs()).find((l) => l.message === 'data at the bound');
      expect(line?.data).toMatchObject({ truncated: true });
    });
  });
});
