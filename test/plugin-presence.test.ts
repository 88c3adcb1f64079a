/**
 * users.presence: a plugin granted `presence` sees whether users are connected to any host now.
 * Presence is announced over the event bus, so the tests poll for a change instead of sleeping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online } from './support/protocol-helpers.js';
import { eventually } from './support/eventually.js';
import {
  enable,
  expectDenied,
  probeManifest,
  prober,
  roomWith,
  valueOf,
  type Probe,
} from './support/plugin-helpers.js';

type Status = { userId: string; status: 'online' | 'offline'; lastSeenAt: string | null };

const enabled = [
  enable(probeManifest('watcher', { permissions: { commands: {}, presence: {} } })),
  enable(probeManifest('blind', { permissions: { commands: {} } })),
  enable(probeManifest('blinded', { permissions: { commands: {}, presence: {} } }), { grants: { presence: false } }),
];

describe('plugin presence', () => {
  let host: TestHost;
  let asker: TestUser;
  let agent: TestUser;
  let sentinel: TestUser;
  let ask: Probe;

  /** Polls users.presence until `done` holds for the answer (10 s at most); resolves with it. */
  async function until(userIds: string[], done: (statuses: Status[]) => boolean): Promise<Status[]> {
    let statuses: Status[] = [];
    try {
      return await eventually(
        async () => {
          statuses = valueOf<Status[]>(await ask('users.presence', userIds));
          return done(statuses) && statuses;
        },
        { intervalMs: 20 },
      );
    } catch {
      throw new Error(`presence never matched: ${JSON.stringify(statuses)}`);
    }
  }

  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled } } });
    [asker, agent, sentinel] = [await host.createUser(), await host.createUser(), await host.createUser()];
    // The asker calls the probe over HTTP, which does not make anyone online.
    ask = prober(host, asker, (await roomWith(host, asker, ['watcher'])).id);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('a user who never connected is offline, as are unknown ids; each id once, in the order asked', async () => {
    const unknown = randomUUID();
    expect(valueOf(await ask('users.presence', [agent.id, unknown, agent.id, sentinel.id]))).toEqual([
      { userId: agent.id, status: 'offline', lastSeenAt: null },
      { userId: unknown, status: 'offline', lastSeenAt: null },
      { userId: sentinel.id, status: 'offline', lastSeenAt: null },
    ]);
    expect(valueOf(await ask('users.presence', []))).toEqual([]);
  });

  it('online while connected, still online while a second connection stays, offline with lastSeenAt after the last', async () => {
    const first = await online(host, agent);
    const [status] = await until([agent.id], ([s]) => s?.status === 'online');
    expect(status).toEqual({ userId: agent.id, status: 'online', lastSeenAt: null });

    const second = await online(host, agent);
    const watcher = await online(host, sentinel);
    await until([sentinel.id], ([s]) => s?.status === 'online');
    await first.close();
    // The host handles closes in order: once the sentinel's later close shows, the first one has been handled.
    await watcher.close();
    await until([sentinel.id], ([s]) => s?.status === 'offline');
    expect(valueOf(await ask('users.presence', [agent.id]))).toEqual([
      { userId: agent.id, status: 'online', lastSeenAt: null },
    ]);

    const before = Date.now();
    await second.close();
    const [gone] = await until([agent.id], ([s]) => s?.status === 'offline');
    expect(gone?.lastSeenAt).toEqual(expect.any(String));
    const seen = Date.parse(gone!.lastSeenAt!);
    expect(seen).toBeGreaterThanOrEqual(before - 1000);
    expect(seen).toBeLessThanOrEqual(Date.now());
    // The sentinel, offline too, keeps its own lastSeenAt.
    expect((await until([sentinel.id], () => true))[0]).toMatchObject({
      status: 'offline',
      lastSeenAt: expect.any(String),
    });
  });

  it('is denied without the presence permission, requested or granted', async () => {
    for (const id of ['blind', 'blinded']) {
      const call = prober(host, asker, (await roomWith(host, asker, [id])).id);
      const outcome = await call('users.presence', [agent.id]);
      expectDenied(outcome, 'presence');
      expect(outcome).toMatchObject({
        message: expect.stringContaining(id === 'blind' ? 'not requested in the manifest' : 'refused by the operator'),
      });
    }
  });

  it('refuses input that is not an array of at most 500 strings with invalid_request', async () => {
    // The limit counts the ids asked, duplicates too (few distinct ones keep the probe's reply short).
    const ids = (n: number) => Array.from({ length: n }, (_, i) => String(i % 3));
    for (const bad of ['not an array', null, { 0: agent.id }, [agent.id, 5], [agent.id, null], ids(501)]) {
      expect(await ask('users.presence', bad), JSON.stringify(bad).slice(0, 80)).toMatchObject({
        ok: false,
        code: 'invalid_request',
      });
    }
    expect(valueOf<Status[]>(await ask('users.presence', ids(500))).map((s) => s.userId)).toEqual(['0', '1', '2']);
  });
});
