/**
 * Where a client starts in a conversation it did not resume (a new device resuming with an empty
 * list, or a client that never sends `resume`): at the pts it was told, or the pts when it
 * connected. A change committed on host A and still on its way through Redis when a later change
 * committed on host B reaches B's sockets must still arrive, before it, and nothing twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostEvent } from '../host/bus/event-bus.js';
import { interceptedBus } from './support/intercepted-bus.js';
import { eventually } from './support/eventually.js';
import { startTestHost, randomUUID, type TestHost } from './support/start-test-host.js';
import type { TestClient } from './support/test-client.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

// The bus refuses SQLite (one host per file): hosts sharing a database need PostgreSQL.
describe.skipIf(!process.env.DATABASE_URL)('a client without positions, across hosts', () => {
  const bus = { url: REDIS_URL, prefix: `stream-start-${randomUUID()}:` };
  /** Host A's committed changes wait here, instead of going to Redis, while `delaying`. */
  const delayed: HostEvent[] = [];
  let delaying = false;
  let release: (() => void) | null = null;
  let a: TestHost;
  let b: TestHost;

  beforeAll(async () => {
    a = await startTestHost({
      config: { bus },
      eventBus: interceptedBus(bus, (event, publish) => {
        release ??= () => {
          delaying = false;
          for (const e of delayed.splice(0)) publish(e);
        };
        if (delaying && event.type === 'message.changed') delayed.push(event);
        else publish(event);
      }),
    });
    b = await startTestHost({ config: { bus }, database: a.database });
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
  });

  const texts = (client: TestClient, conversationId: string) =>
    client.frames
      .filter((f) => f.type === 'message.created' && f.conversationId === conversationId)
      .map((f) => `${f.pts as number}:${f.message.content.text as string}`);

  it('delivers an earlier change from another host before a later local one, once each', async () => {
    const [ann, ben, new1, old1] = await Promise.all([a.createUser(), a.createUser(), a.createUser(), a.createUser()]);
    const room = await a.createGroup(ann, [ben, new1, old1], 'start');
    const annOnA = await a.connect(ann.token);
    const benOnB = await b.connect(ben.token);
    await annOnA.sendText(room.id, 'warm-up');
    const start = (await a.http('GET', `/v1/conversations/${room.id}`, { token: ann.token })).body.lastPts as number;

    // A new device: resumes with an empty list and is told where the room stands.
    const fresh = await b.connect(new1.token);
    const resumed = await fresh.request<{ joined: { conversationId: string; pts: number }[] }>({
      type: 'resume',
      conversations: [],
    });
    expect(resumed.joined.find((j) => j.conversationId === room.id)?.pts).toBe(start);
    // A client that never resumes: it starts where the room stood when it connected.
    const silent = await b.connect(old1.token);
    await eventually(() => silent.frames.some((f) => f.type === 'ready'), { what: 'ready' });
    // Its hold has ended once it gets a change live, in another room: this one it has not heard of yet.
    const side = await a.createGroup(ben, [old1], 'side');
    await eventually(
      async () => {
        await benOnB.sendText(side.id, 'probe');
        return texts(silent, side.id).length > 0;
      },
      { what: "the silent client's hold to end" },
    );
    expect(texts(silent, room.id)).toEqual([]);
    expect(texts(fresh, room.id)).toEqual([]);

    delaying = true;
    await annOnA.sendText(room.id, 'first'); // committed on A; its event waits
    await benOnB.sendText(room.id, 'second'); // committed on B after it; reaches B's sockets at once
    release!();

    for (const client of [fresh, silent]) {
      await eventually(() => texts(client, room.id).some((t) => t.endsWith(':second')), { what: 'second' });
      await eventually(() => texts(client, room.id).some((t) => t.endsWith(':first')), { what: 'first' });
    }
    const tail = (client: TestClient) => texts(client, room.id).filter((t) => /:(first|second)$/.test(t));
    expect(tail(fresh).map((t) => t.split(':')[1])).toEqual(['first', 'second']);
    expect(tail(silent).map((t) => t.split(':')[1])).toEqual(['first', 'second']);
    // Every change from where each started, in pts order, with no gap and nothing twice.
    for (const client of [fresh, silent]) {
      const pts = texts(client, room.id).map((t) => Number(t.split(':')[0]));
      expect(pts).toEqual(pts.map((_, i) => pts[0]! + i));
    }
  });
});
