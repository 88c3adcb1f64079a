/**
 * Presence that pub/sub alone would lose: a host started after users connected elsewhere learns
 * they are online from the others' heartbeats, and a host killed with -9 (which never says its
 * users went offline) has them shown offline on the others once it has been silent three intervals.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, randomUUID, type TestHost } from './support/start-test-host.js';
import { spawnHost, type ChildHost } from './support/child-host.js';
import { connect, type TestClient } from './support/test-client.js';
import { eventually } from './support/eventually.js';
import { ownRedis, type OwnRedis } from './support/own-redis.js';

const INTERVAL_MS = 200;

// The bus refuses SQLite (one host per file): hosts sharing a database need PostgreSQL.
describe.skipIf(!process.env.DATABASE_URL)('presence across late starts and killed hosts', () => {
  let redis: OwnRedis;
  let a: TestHost;
  let b: TestHost | undefined;
  let child: ChildHost | undefined;
  let bus: { url: string; prefix: string; presenceIntervalMs: number };

  const statusOn = async (client: TestClient, userId: string): Promise<string> => {
    const answer = await client.request<{ presence: { status: string }[] }>({
      type: 'presence.subscribe',
      userIds: [userId],
    });
    return answer.presence[0]!.status;
  };

  beforeAll(async () => {
    redis = await ownRedis();
    await redis.start();
    bus = { url: redis.url, prefix: `presence-${randomUUID()}:`, presenceIntervalMs: INTERVAL_MS };
    a = await startTestHost({ config: { bus } });
  });

  afterAll(async () => {
    await child?.kill();
    await b?.stop();
    await a?.stop();
    await redis?.stop();
  });

  it('a host started late sees who is online on the others', async () => {
    const [ada, bob] = await Promise.all([a.createUser(), a.createUser()]);
    await a.direct(ada, bob);
    await a.connect(ada.token);

    b = await startTestHost({ config: { bus }, database: a.database });
    const bobOnB = await b.connect(bob.token);
    await eventually(async () => (await statusOn(bobOnB, ada.id)) === 'online', { what: 'ada online on B' });
  });

  it("a killed host's users go offline on the others within three intervals", async () => {
    const [carol, dave] = await Promise.all([a.createUser(), a.createUser()]);
    await a.direct(carol, dave);
    child = await spawnHost({
      config: {
        database: { url: a.database.url, schema: a.database.schema },
        bus,
        dataDir: mkdtempSync(join(tmpdir(), 'switchboard-presence-')),
      },
      timeoutMs: 45_000,
    });
    await connect(child.wsUrl, carol.token);
    const daveOnA = await a.connect(dave.token);
    await eventually(async () => (await statusOn(daveOnA, carol.id)) === 'online', { what: 'carol online on A' });

    const killedAt = Date.now();
    await child.kill('SIGKILL');
    const offline = await daveOnA.next(
      (f) => f.type === 'presence' && f.userId === carol.id && f.status === 'offline',
      10_000,
    );
    // Silent for more than three intervals, checked once an interval: at most about four.
    expect(Date.now() - killedAt).toBeLessThan(4 * INTERVAL_MS + 1_000);
    expect(offline.lastSeenAt).toEqual(expect.any(String));
  });
});
