/**
 * Heartbeats carry a digest of each host's online users, not the list: a host whose view of
 * another differs (an update lost on pub/sub) asks that host for its full list and is corrected
 * within an interval or two, while heartbeats in a steady state carry no user ids at all.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEvent } from '../host/bus/event-bus.js';
import { interceptedBus } from './support/intercepted-bus.js';
import { eventually } from './support/eventually.js';
import { startTestHost, randomUUID, type TestHost } from './support/start-test-host.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const INTERVAL_MS = 200;

// The bus refuses SQLite (one host per file): hosts sharing a database need PostgreSQL.
describe.skipIf(!process.env.DATABASE_URL)('presence heartbeats by digest', () => {
  const bus = { url: REDIS_URL, prefix: `digest-${randomUUID()}:`, presenceIntervalMs: INTERVAL_MS };
  const heartbeats: { userIds?: string[]; askHost?: string; hostId: string }[] = [];
  let listener: Redis;
  let a: TestHost;
  let b: TestHost;
  /** Host A loses its next "offline" presence update on the way to Redis, as pub/sub may. */
  let loseNextOffline = false;

  beforeAll(async () => {
    listener = new Redis(REDIS_URL);
    await listener.subscribe(`${bus.prefix}ephemeral`);
    listener.on('message', (_channel: string, text: string) => {
      // One message holds what a host published in one turn (host/bus/bus-envelope.ts).
      const { events } = JSON.parse(text) as { events: HostEvent[] };
      for (const event of events) if (event.type === 'presence.heartbeat') heartbeats.push(event);
    });
    a = await startTestHost({
      config: { bus },
      eventBus: interceptedBus(bus, (event, publish) => {
        if (loseNextOffline && event.type === 'presence' && event.status === 'offline') loseNextOffline = false;
        else publish(event);
      }),
    });
    b = await startTestHost({ config: { bus }, database: a.database });
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    listener?.disconnect();
  });

  it('corrects a lost offline update through a digest mismatch, and sends no lists meanwhile', async () => {
    const [kim, lou] = await Promise.all([a.createUser(), a.createUser()]);
    await a.direct(kim, lou);
    const kimOnA = await a.connect(kim.token);
    const louOnB = await b.connect(lou.token);
    const status = async () =>
      (await louOnB.request<{ presence: { status: string }[] }>({ type: 'presence.subscribe', userIds: [kim.id] }))
        .presence[0]!.status;
    await eventually(async () => (await status()) === 'online', { what: 'kim online on B' });

    // Steady state: several intervals of heartbeats, none carrying a list.
    const from = heartbeats.length;
    await eventually(() => heartbeats.length >= from + 6, { what: 'six heartbeats' });
    expect(heartbeats.slice(from, from + 6).filter((h) => h.userIds !== undefined || h.askHost)).toEqual([]);

    loseNextOffline = true;
    await kimOnA.close();
    await louOnB.next((f) => f.type === 'presence' && f.userId === kim.id && f.status === 'offline', 5_000);
    expect(loseNextOffline).toBe(false);
    // B asked A by name, and A answered with its list. This test's own subscriber may hear them
    // after B has acted on them and lou has the frame: Redis orders no delivery across subscribers.
    await eventually(() => heartbeats.some((h) => h.askHost !== undefined), { what: 'B to ask A' });
    await eventually(() => heartbeats.slice(from).some((h) => h.userIds !== undefined), { what: 'A to answer' });
  });
});
