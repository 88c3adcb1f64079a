/**
 * What the bus could not carry while Redis was down is caught up when it is back, without waiting:
 * a revocation made meanwhile closes that session's socket on the other host with 4003 (each host
 * checks its open sockets' tokens against the database), with account_deactivated as the reason
 * when the account was deactivated. A user who came online meanwhile is seen online by the other
 * host at once (each host re-announces its online users; the heartbeat interval here is far longer
 * than the test, so only that re-announce can explain it). And a message committed on one host
 * meanwhile reaches the other host's member as soon as Redis is back, with no further change in
 * that conversation and no resume; so does a member added then.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, randomUUID, type TestHost } from './support/start-test-host.js';
import { closeCodeWithin, ping } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { ownRedis, type OwnRedis } from './support/own-redis.js';
import { RedisEventBus } from '../host/bus/redis-event-bus.js';

// The bus refuses SQLite (one host per file): hosts sharing a database need PostgreSQL.
describe.skipIf(!process.env.DATABASE_URL)('after a Redis outage', () => {
  let redis: OwnRedis;
  let a: TestHost;
  let b: TestHost;
  /** Host A's bus, to see that the revocation was dropped, not merely delayed. */
  let busOfA: RedisEventBus;

  beforeAll(async () => {
    redis = await ownRedis();
    await redis.start();
    const bus = { url: redis.url, prefix: `catch-up-${randomUUID()}:`, presenceIntervalMs: 600_000 };
    a = await startTestHost({
      config: { bus },
      eventBus: (log, hostId, metrics) =>
        (busOfA = new RedisEventBus({ url: redis.url, prefix: bus.prefix, hostId, log, metrics })),
    });
    b = await startTestHost({ config: { bus }, database: a.database });
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await redis?.stop();
  });

  it("a logout made meanwhile closes that session's socket on the other host", async () => {
    const carol = await a.createUser();
    const login = () => a.http('POST', '/v1/auth/login', { body: { handle: carol.handle, password: carol.password } });
    const [loggedOut, kept] = await Promise.all([login(), login()]);
    const [loggedOutOnB, keptOnB] = await Promise.all([
      b.connect(loggedOut.body.token as string),
      b.connect(kept.body.token as string),
    ]);

    await redis.stop();
    await eventually(async () => (await b.http('GET', '/readyz')).status === 503, { what: 'B not ready' });
    const droppedBefore = busOfA.dropped;
    expect((await a.http('POST', '/v1/auth/logout', { token: loggedOut.body.token as string })).status).toBe(204);
    // The revocation is lost to the bus (not queued until Redis is back), and the socket on B stays open.
    await eventually(() => busOfA.dropped > droppedBefore, { what: "A's bus to drop the revocation" });
    expect(await ping(loggedOutOnB)).toBe(true);

    await redis.start();
    expect(await closeCodeWithin(loggedOutOnB, 10_000)).toBe(4003);
    expect(await ping(keptOnB)).toBe(true);
  });

  it("a deactivation made meanwhile closes the account's socket on the other host, saying why", async () => {
    const dan = await a.createUser();
    const onB = await b.connect(dan.token);

    await redis.stop();
    await eventually(async () => (await b.http('GET', '/readyz')).status === 503, { what: 'B not ready' });
    const droppedBefore = busOfA.dropped;
    expect((await a.http('POST', `/v1/admin/users/${dan.id}/deactivate`, { token: 'admin' })).status).toBe(200);
    await eventually(() => busOfA.dropped > droppedBefore, { what: "A's bus to drop the revocation" });
    expect(await ping(onB)).toBe(true);

    await redis.start();
    expect(await closeCodeWithin(onB, 10_000)).toBe(4003);
    // As the live revocation at deactivation says it (docs/protocol.md), not session_ended.
    expect((await onB.closed).reason).toBe('account_deactivated');
  });

  it('a user who came online meanwhile is seen online on the other host', async () => {
    const [erin, frank] = await Promise.all([a.createUser(), a.createUser()]);
    await a.direct(erin, frank);
    const frankOnB = await b.connect(frank.token);
    const subscribed = await frankOnB.request<{ presence: { status: string }[] }>({
      type: 'presence.subscribe',
      userIds: [erin.id],
    });
    expect(subscribed.presence[0]!.status).toBe('offline');

    await redis.stop();
    await eventually(async () => (await a.http('GET', '/readyz')).status === 503, { what: 'A not ready' });
    const droppedBefore = busOfA.dropped;
    await a.connect(erin.token);
    await eventually(() => busOfA.dropped > droppedBefore, { what: "A's bus to drop erin's presence" });

    await redis.start();
    await frankOnB.next((f) => f.type === 'presence' && f.userId === erin.id && f.status === 'online');
  });

  it('messages and members added meanwhile reach the other host as soon as Redis is back', async () => {
    const [gina, hal, ivy] = await Promise.all([a.createUser(), a.createUser(), a.createUser()]);
    const room = await a.createGroup(gina, [hal], 'outage');
    const halOnB = await b.connect(hal.token);
    await halOnB.request({ type: 'resume', conversations: [{ conversationId: room.id, pts: room.lastPts }] });
    const ginaOnA = await a.connect(gina.token);
    await ginaOnA.sendText(room.id, 'before');
    await halOnB.next((f) => f.type === 'message.created' && f.message.content.text === 'before');

    await redis.stop();
    await eventually(async () => (await a.http('GET', '/readyz')).status === 503, { what: 'A not ready' });
    const droppedBefore = busOfA.dropped;
    await ginaOnA.sendText(room.id, 'during');
    const added = await a.http('POST', `/v1/conversations/${room.id}/members`, {
      token: gina.token,
      body: { userIds: [ivy.id] },
    });
    expect(added.status).toBe(200);
    await eventually(() => busOfA.dropped > droppedBefore + 1, { what: "A's bus to drop the changes" });
    expect(halOnB.frames.some((f) => f.type === 'message.created' && f.message.content.text === 'during')).toBe(false);

    await redis.start();
    const during = await halOnB.next((f) => f.type === 'message.created' && f.message.content.text === 'during');
    expect(during.conversationId).toBe(room.id);
    // B's member list was refreshed: ivy, added during the outage and connected to B, gets the next message live.
    const ivyOnB = await b.connect(ivy.token);
    await eventually(async () => (await b.http('GET', '/readyz')).status === 200, { what: 'B ready' });
    await ginaOnA.sendText(room.id, 'after');
    await ivyOnB.next((f) => f.type === 'message.created' && f.message.content.text === 'after');
    const texts = halOnB.frames
      .filter((f) => f.type === 'message.created' && f.conversationId === room.id)
      .map((f) => f.message.content.text as string);
    expect(texts.filter((t) => ['before', 'during', 'after'].includes(t))).toEqual(['before', 'during', 'after']);
  });
});
