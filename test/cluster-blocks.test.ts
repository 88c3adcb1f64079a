/**
 * Blocking across hosts sharing one PostgreSQL database (and a Redis bus): the block lives in the
 * database (user_blocks, and the direct conversation's flag under its row lock), so once it
 * answers on one host no send gets through on another; the blocker's devices on the other host
 * hear of it through the bus, and a follower's presence on the other host hides (and shows again)
 * the person at once. Typing is decided where it is typed, from the database, so it needs no bus.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID, startTestHost, type TestHost } from './support/start-test-host.js';
import { online, refusal, settle } from './support/protocol-helpers.js';
import { RequestError } from './support/test-client.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-${randomUUID()}:`;

describe.skipIf(!process.env.DATABASE_URL)('blocking across two hosts on one database', () => {
  let a: TestHost;
  let b: TestHost;

  beforeAll(async () => {
    a = await startTestHost({ config: { bus: { url: REDIS_URL, prefix } } });
    b = await startTestHost({ config: { bus: { url: REDIS_URL, prefix } }, database: a.database });
  });

  afterAll(async () => {
    // b borrows a's database: it stops first, a then drops the database.
    await b?.stop();
    await a?.stop();
    const redis = new Redis(REDIS_URL);
    try {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
    } finally {
      redis.disconnect();
    }
  });

  it('a block made on one host stops the sends on the other at once, and its devices there are told', async () => {
    const [ada, bob] = await Promise.all([a.createUser(), a.createUser()]);
    const direct = await a.direct(ada, bob);
    const [bobOnB, adaPhoneOnB] = await Promise.all([online(b, bob), online(b, ada)]);
    const told = adaPhoneOnB.waitFor((f) => f.type === 'user.block' && f.userId === bob.id && f.blockedAt !== null);

    // Bob keeps sending through host b while Ada blocks him through host a.
    let stop = false;
    const outcomes: string[] = [];
    const sending = (async () => {
      for (let i = 0; !stop; i++) {
        outcomes.push(
          await bobOnB.sendText(direct.id, `b ${i}`).then(
            () => 'sent',
            (e: unknown) => (e instanceof RequestError ? e.error.code : 'failed'),
          ),
        );
      }
    })();
    const blocked = await a.http('PUT', `/v1/me/blocks/${bob.id}`, { token: ada.token });
    expect(blocked.status).toBe(200);
    const answeredAt = outcomes.length;
    expect(await refusal(bobOnB.sendText(direct.id, 'after the block'))).toMatchObject({ code: 'blocked' });
    stop = true;
    await sending;
    // Whatever was in flight went one way or the other; every send begun after the answer was refused.
    expect(outcomes.filter((o) => o !== 'sent' && o !== 'blocked')).toEqual([]);
    expect(outcomes.slice(answeredAt + 1).filter((o) => o !== 'blocked')).toEqual([]);
    await told;

    const unblocked = await b.http('DELETE', `/v1/me/blocks/${bob.id}`, { token: ada.token });
    expect(unblocked.status).toBe(204);
    const adaOnA = await online(a, ada);
    await adaOnA.sendText(direct.id, 'back on speaking terms');
    await bobOnB.sendText(direct.id, 'good');
  });

  it('hides presence and typing from one another across hosts while one blocks the other, and shows them again after unblocking', async () => {
    const [ada, bob] = await Promise.all([a.createUser(), a.createUser()]);
    const direct = await a.direct(ada, bob);
    const group = await a.createGroup(ada, [bob]);
    const [adaOnA, bobOnB] = await Promise.all([online(a, ada), online(b, bob)]);
    const sub = await adaOnA.request({ type: 'presence.subscribe', userIds: [bob.id] });
    expect(sub.presence).toEqual([expect.objectContaining({ status: 'online' })]);

    // Bob blocks Ada through host b: Ada's socket on host a sees him go offline, never seen.
    const hidden = adaOnA.waitFor((f) => f.type === 'presence' && f.userId === bob.id);
    expect((await b.http('PUT', `/v1/me/blocks/${ada.id}`, { token: bob.token })).status).toBe(200);
    expect(await hidden).toEqual({ type: 'presence', userId: bob.id, status: 'offline', lastSeenAt: null });
    bobOnB.sendRaw({ type: 'typing', conversationId: direct.id, state: 'started' });
    bobOnB.sendRaw({ type: 'typing', conversationId: group.id, state: 'started' });
    await adaOnA.collect((f) => f.type === 'typing' && f.conversationId === group.id, 1);
    await settle(adaOnA, bobOnB);
    expect(adaOnA.frames.filter((f) => f.type === 'typing' && f.conversationId === direct.id)).toEqual([]);

    const shown = adaOnA.waitFor((f) => f.type === 'presence' && f.userId === bob.id && f.status === 'online');
    expect((await a.http('DELETE', `/v1/me/blocks/${ada.id}`, { token: bob.token })).status).toBe(204);
    await shown;
    bobOnB.sendRaw({ type: 'typing', conversationId: direct.id, state: 'started' });
    await adaOnA.collect((f) => f.type === 'typing' && f.conversationId === direct.id, 1);
  });
});
