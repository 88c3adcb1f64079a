/**
 * A worker's end is charged to the app that caused it: the app whose memory grew past the
 * worker's cap, the app holding a thread, or the only app in the worker. Its neighbours restart
 * with nothing held against them. An app that keeps ending its shared worker moves to a worker of
 * its own; operators can also give every app its own worker. Work an event left running stops
 * once the app's CPU budget for the minute is spent.
 */
import { describe, expect, it } from 'vitest';
import { enable, listPlugins, pluginLogs } from './support/plugin-helpers.js';
import { appHealth, appManifest, runOp, waitForApp, type AppHealth } from './support/sandbox-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';

const MiB = 1_048_576;
const CAP_MB = 384;

async function waitFor(
  host: TestHost,
  id: string,
  ok: (h: AppHealth) => boolean,
  timeoutMs = 20_000,
): Promise<AppHealth> {
  let health: AppHealth | undefined;
  try {
    return await eventually(
      async () => {
        health = await appHealth(host, id);
        return ok(health) && health;
      },
      { timeoutMs },
    );
  } catch {
    throw new Error(`app ${id} never reached the expected state: ${JSON.stringify(health)}`);
  }
}

async function roomFor(host: TestHost, user: Awaited<ReturnType<TestHost['createUser']>>, id: string): Promise<string> {
  const bot = (await listPlugins(host)).find((p) => p.id === id)!.botUserId;
  const room = (await host.createGroup(user, [], `${id} room`)).id;
  await host.http('POST', `/v1/conversations/${room}/members`, { token: user.token, body: { userIds: [bot] } });
  return room;
}

describe("blame for a worker's end", () => {
  it('charges the app whose memory grew, restarts its neighbour free, then gives it a worker of its own', async () => {
    const host = await startTestHost({
      config: {
        sandbox: {
          workers: 1,
          workerMemoryMb: CAP_MB,
          heartbeatMs: 100,
          quarantineAfter: 2,
          maxLimits: { memoryMb: 1024, cpuMsPerEvent: 10_000 },
          restart: { baseDelayMs: 10, maxDelayMs: 20, maxFailures: 3, windowMs: 60_000 },
        },
        plugins: {
          enabled: [
            enable(appManifest('hungry', { limits: { memoryMb: 1024, cpuMsPerEvent: 10_000 } })),
            enable(appManifest('neighbour')),
          ],
        },
      },
    });
    try {
      const user = await host.createUser();
      const [hungryRoom, neighbourRoom] = [await roomFor(host, user, 'hungry'), await roomFor(host, user, 'neighbour')];
      expect((await runOp(host, user, neighbourRoom, 'store kept')).status).toBe(200);
      /** Grows the hungry app past the cap, whatever an idle worker weighs on this Node. */
      const overfeed = async () => {
        const idle = (await waitForApp(host, 'hungry')).workerRssBytes!;
        await runOp(host, user, hungryRoom, `grow ${Math.ceil((CAP_MB * MiB - idle) / MiB) + 64}`);
      };

      for (const round of [1, 2]) {
        await overfeed();
        const hungry = await waitFor(
          host,
          'hungry',
          (h) => h.failures.worker_memory === round && h.state === 'running',
        );
        const neighbour = await waitForApp(host, 'neighbour');
        expect(neighbour.failures).toEqual({});
        expect(neighbour.collateralRestarts).toBe(round);
        expect(hungry.lastFailure?.message).toMatch(/grew most/);
        // Charged twice: from its next start it runs alone.
        expect(hungry.quarantined).toBe(round === 2);
        if (round === 2) expect(hungry.workerPid).not.toBe(neighbour.workerPid);
      }

      // Alone in its worker, its third overfeed is its own again, and the breaker opens; the
      // neighbour's worker is not touched at all.
      const neighbourBefore = await waitForApp(host, 'neighbour');
      await overfeed();
      const hungry = await waitForApp(host, 'hungry', 'disabled', 20_000);
      expect(hungry.failures.worker_memory).toBe(3);
      const neighbour = await appHealth(host, 'neighbour');
      expect(neighbour).toMatchObject({
        state: 'running',
        workerPid: neighbourBefore.workerPid,
        collateralRestarts: 2,
        failures: {},
      });
      expect((await runOp(host, user, neighbourRoom, 'recall')).value).toBe('kept');
    } finally {
      await host.stop();
    }
  });

  it('gives every app a worker of its own when isolation is per-app', async () => {
    const host = await startTestHost({
      config: {
        sandbox: {
          workers: 1,
          isolation: 'per-app',
          restart: { baseDelayMs: 10, maxDelayMs: 20, maxFailures: 5, windowMs: 60_000 },
        },
        plugins: { enabled: [enable(appManifest('first')), enable(appManifest('second'))] },
      },
    });
    try {
      const [first, second] = [await waitForApp(host, 'first'), await waitForApp(host, 'second')];
      expect(first.workerPid).not.toBe(second.workerPid);
      expect([first.quarantined, second.quarantined]).toEqual([false, false]);
      process.kill(first.workerPid!, 'SIGKILL');
      // Alone in its worker, the app is charged with that worker's end; the other never notices.
      const after = await waitFor(host, 'first', (h) => h.state === 'running' && h.workerPid !== first.workerPid);
      expect(after.failures.worker_crash).toBe(1);
      expect(await appHealth(host, 'second')).toMatchObject({
        workerPid: second.workerPid,
        collateralRestarts: 0,
        failures: {},
      });
    } finally {
      await host.stop();
    }
  });

  it('stops work an event left running once the app spent its CPU for the minute', async () => {
    const host = await startTestHost({
      config: {
        sandbox: { workers: 1, restart: { baseDelayMs: 10, maxDelayMs: 20, maxFailures: 5, windowMs: 60_000 } },
        plugins: {
          enabled: [enable(appManifest('spender', { limits: { cpuMsPerEvent: 300, cpuMsPerMinute: 1_000 } }))],
        },
      },
    });
    try {
      const user = await host.createUser();
      const room = await roomFor(host, user, 'spender');
      // A detached loop: each burst of 100 ms follows a host call, under the per-event budget,
      // with no event open. Before, such a loop used 20 s of CPU in 21 s.
      expect((await runOp(host, user, room, 'detached-cpu')).value).toBe('started');
      // Its next host call is refused once the minute's CPU is spent, which ends the loop.
      const line: { message: string } = await eventually(
        async () =>
          (await pluginLogs(host, 'spender')).find((e: { message: string }) =>
            e.message.startsWith('detached loop stopped'),
          ),
        { timeoutMs: 20_000, what: 'the detached loop to stop' },
      );
      expect(line.message).toMatch(/sandbox_limit: The app spent its CPU budget for this minute/);
      // The budget, plus at most the burst that spent it: not the 20 s such a loop used before.
      expect((await appHealth(host, 'spender')).cpuMsLastMinute).toBeLessThan(1_000 + 300);
    } finally {
      await host.stop();
    }
  });
});
