/**
 * Web Push on two hosts sharing a database and a Redis bus: only the host a message was sent
 * through pushes it, so a person away gets one push per message whichever host took it, and
 * a socket open on either host counts as being there.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID, type TestHost } from './support/start-test-host.js';
import { pushIdle, startPushHost, subscribe, wentOffline } from './support/push-helpers.js';
import { PushService } from './support/push-service.js';
import { send } from './support/messaging-helpers.js';
import { online } from './support/protocol-helpers.js';
import type { TestClient } from './support/test-client.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `push-once-${randomUUID()}:`;

// The bus refuses SQLite (one host per file): hosts sharing a database need PostgreSQL.
describe.skipIf(!process.env.DATABASE_URL)('push on two hosts', () => {
  let service: PushService;
  let a: TestHost;
  let b: TestHost;

  beforeAll(async () => {
    service = await new PushService().start();
    a = await startPushHost({ config: { bus: { url: REDIS_URL, prefix } } });
    b = await startPushHost({ config: { bus: { url: REDIS_URL, prefix } }, database: a.database });
  });

  afterAll(async () => {
    // b borrows a's database: it stops first, a then drops the database.
    await b?.stop();
    await a?.stop();
    await service?.stop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  /** Sends `text` from `sender` (a socket on some host) and returns the message's id. */
  const sendText = async (sender: TestClient, conversationId: string, text: string) =>
    (await send(sender, conversationId, { type: 'text', text })).message.id as string;

  it('pushes each message once, whichever host it was sent through', async () => {
    const [ada, bob] = await Promise.all([a.createUser(), a.createUser()]);
    const conv = await a.direct(ada, bob);
    const browser = await subscribe(b, bob, service);
    const [adaOnA, adaOnB] = await Promise.all([online(a, ada), online(b, ada)]);
    const sent: string[] = [];
    for (let i = 0; i < 3; i++) {
      sent.push(await sendText(adaOnA, conv.id, `through A ${i}`));
      sent.push(await sendText(adaOnB, conv.id, `through B ${i}`));
    }
    for (const id of sent) await service.waitForPush(browser, (p) => p.payload.messageId === id);
    await Promise.all([pushIdle(a), pushIdle(b)]);
    const pushed = service.pushesTo(browser).map((p) => p.payload.messageId as string);
    expect(pushed.sort()).toEqual([...sent].sort());
    expect(service.refused).toEqual([]);
  });

  it("pushes nothing for a message sent on A while the person's socket is open on B", async () => {
    const [ada, bob] = await Promise.all([a.createUser(), a.createUser()]);
    const conv = await a.direct(ada, bob);
    const browser = await subscribe(a, bob, service);
    const adaOnA = await online(a, ada);
    await adaOnA.request({ type: 'presence.subscribe', userIds: [bob.id] });
    const bobOnB = await online(b, bob);
    // A knows Bob is online (through the bus) before anything is sent.
    await adaOnA.next((f) => f.type === 'presence' && f.userId === bob.id && f.status === 'online');
    await sendText(adaOnA, conv.id, 'you are here, on the other host');
    await Promise.all([pushIdle(a), pushIdle(b)]);
    expect(service.pushesTo(browser)).toEqual([]);

    // The same message once Bob has left is pushed: the silence above was his socket, not a fault.
    await bobOnB.close();
    await wentOffline(adaOnA, bob);
    const id = await sendText(adaOnA, conv.id, 'and now you are away');
    await service.waitForPush(browser, (p) => p.payload.messageId === id);
    await Promise.all([pushIdle(a), pushIdle(b)]);
    expect(service.pushesTo(browser).map((p) => p.payload.messageId)).toEqual([id]);
  });
});
