/**
 * Several hosts as one: two real hosts on one PostgreSQL database and one Redis (bus.url), each
 * with its own clients. What one host commits reaches the other's clients live, through the
 * Redis bus, in pts order; typing, receipts, presence and revocations cross too. SQLite with a
 * bus is refused. Redis runs at 127.0.0.1:6379 (.ci/run starts it); each run of this file uses
 * keys and channels of its own (a fresh prefix), so parallel runs share that Redis safely.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost } from '../host/host.js';
import { buildConfig, loadConfig } from '../host/config/load-config.js';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';
import { startTestHost, randomUUID, type TestHost, type TestUser } from './support/start-test-host.js';
import type { TestClient } from './support/test-client.js';
import { closeCodeWithin, ping } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import {
  enable,
  probeManifest,
  readRecords,
  recordFile,
  roomWith,
  waitForRecord,
  waitForRecords,
} from './support/plugin-helpers.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-${randomUUID()}:`;

// The bus refuses SQLite (one host per file), so hosts sharing a database need PostgreSQL: on the
// SQLite run only the refusal below is tested.
describe.skipIf(!process.env.DATABASE_URL)('two hosts on one database and one Redis', () => {
  let a: TestHost;
  let b: TestHost;
  let ada: TestUser, bob: TestUser, carol: TestUser, dave: TestUser;

  beforeAll(async () => {
    a = await startTestHost({ config: { bus: { url: REDIS_URL, prefix } } });
    b = await startTestHost({ config: { bus: { url: REDIS_URL, prefix } }, database: a.database });
    [ada, bob, carol, dave] = await Promise.all([a.createUser(), a.createUser(), a.createUser(), a.createUser()]);
  });

  afterAll(async () => {
    // b borrows a's database: it stops first, a then drops the database.
    await b?.stop();
    await a?.stop();
    const redis = new Redis(REDIS_URL);
    await redis.del(`${prefix}events`);
    await redis.quit();
  });

  it('/readyz reports the bus when one is configured', async () => {
    const ready = await b.http('GET', '/readyz');
    expect(ready).toMatchObject({ status: 200, body: { status: 'ready', bus: 'connected' } });
  });

  it("a client on one host receives another host's messages live, in pts order, each once", async () => {
    const room = await a.createGroup(ada, [bob, carol, dave]);
    const [adaOnA, daveOnA, bobOnB, carolOnB] = await Promise.all([
      a.connect(ada.token),
      a.connect(dave.token),
      b.connect(bob.token),
      b.connect(carol.token),
    ]);
    // One message alone: nothing on host B commits, so only the bus can bring it there.
    const first = await adaOnA.sendText(room.id, 'from host A');
    const live = await carolOnB.next((f) => f.type === 'message.created' && f.conversationId === room.id);
    expect(live.message.id).toBe(first.message.id);

    // Then both hosts commit into the same conversation at once.
    const sends = await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => adaOnA.sendText(room.id, `a${i}`)),
      ...Array.from({ length: 40 }, (_, i) => bobOnB.sendText(room.id, `b${i}`)),
    ]);
    const sentIds = [first, ...sends].map((s) => s.message.id as string);
    for (const receiver of [carolOnB, daveOnA]) await expectCompleteStream(receiver, room.id, sentIds);
  });

  it('typing, read receipts and presence cross hosts', async () => {
    // Users of their own: the earlier tests' sockets keep theirs online.
    const [erin, frank] = await Promise.all([a.createUser(), a.createUser()]);
    const room = await a.direct(erin, frank);
    const erinOnA = await a.connect(erin.token);
    const subscribed = await erinOnA.request({ type: 'presence.subscribe', userIds: [frank.id] });
    expect(subscribed.presence).toEqual([expect.objectContaining({ userId: frank.id, status: 'offline' })]);
    const frankOnB = await b.connect(frank.token);
    expect(await erinOnA.next((f) => f.type === 'presence' && f.userId === frank.id)).toMatchObject({
      status: 'online',
    });

    erinOnA.sendRaw({ type: 'typing', conversationId: room.id, state: 'started' });
    expect(await frankOnB.next((f) => f.type === 'typing' && f.conversationId === room.id)).toMatchObject({
      userId: erin.id,
      state: 'started',
    });

    const sent = await erinOnA.sendText(room.id, 'read me');
    await frankOnB.next((f) => f.type === 'message.created' && f.message.id === sent.message.id);
    await frankOnB.request({ type: 'read', conversationId: room.id, seq: sent.message.seq });
    expect(await erinOnA.next((f) => f.type === 'receipt' && f.conversationId === room.id)).toMatchObject({
      userId: frank.id,
      seq: sent.message.seq,
    });
  });

  it("a logout or a revoked token on one host closes that session's socket on the other", async () => {
    const login = () => a.http('POST', '/v1/auth/login', { body: { handle: carol.handle, password: carol.password } });
    const [loggedOut, deleted, kept] = await Promise.all([login(), login(), login()]);
    const [loggedOutOnB, deletedOnB, keptOnB] = await Promise.all([
      b.connect(loggedOut.body.token as string),
      b.connect(deleted.body.token as string),
      b.connect(kept.body.token as string),
    ]);

    expect((await a.http('POST', '/v1/auth/logout', { token: loggedOut.body.token as string })).status).toBe(204);
    expect(await closeCodeWithin(loggedOutOnB, 5000)).toBe(4003);

    const del = await a.http('DELETE', `/v1/me/tokens/${deleted.body.tokenId}`, { token: kept.body.token as string });
    expect(del.status).toBe(204);
    expect(await closeCodeWithin(deletedOnB, 5000)).toBe(4003);
    // The session that was not revoked still works on host B.
    expect(await ping(keptOnB)).toBe(true);
  });
});

/** Every message of `ids` arrives once, and the conversation's frames come in consecutive pts. */
async function expectCompleteStream(client: TestClient, conversationId: string, ids: string[]): Promise<void> {
  const created = () =>
    client.frames.filter((f) => f.type === 'message.created' && f.conversationId === conversationId);
  await eventually(() => ids.every((id) => created().some((f) => f.message.id === id)), {
    what: `all ${ids.length} messages`,
  });
  const frames = created();
  const seen = frames.map((f) => f.message.id as string);
  expect(new Set(seen).size).toBe(seen.length);
  const pts = frames.map((f) => f.pts as number);
  expect(pts).toEqual(pts.map((_, i) => pts[0]! + i));
}

describe.skipIf(!process.env.DATABASE_URL)('plugin events on two hosts', () => {
  const events = recordFile('cluster-events');
  const listener = enable(
    probeManifest('listener', { permissions: { commands: {}, events: { events: ['message.created'] } } }),
    { settings: { recordFile: events, subscribe: ['message.created'] } },
  );
  const eventPrefix = `test-${randomUUID()}:`;
  let a: TestHost;
  let b: TestHost;

  beforeAll(async () => {
    const config = { bus: { url: REDIS_URL, prefix: eventPrefix }, plugins: { enabled: [listener] } };
    a = await startTestHost({ config });
    b = await startTestHost({ config, database: a.database });
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    const redis = new Redis(REDIS_URL);
    await redis.del(`${eventPrefix}events`);
    await redis.quit();
  });

  it('each is handled once in the cluster, by the host that committed the change', async () => {
    const [ada, bob] = await Promise.all([a.createUser(), a.createUser()]);
    const room = await roomWith(a, ada, ['listener'], [bob]);
    const [adaOnA, bobOnB] = await Promise.all([a.connect(ada.token), b.connect(bob.token)]);
    const sent = [
      ...(await Promise.all(Array.from({ length: 5 }, (_, i) => adaOnA.sendText(room.id, `a${i}`)))),
      ...(await Promise.all(Array.from({ length: 5 }, (_, i) => bobOnB.sendText(room.id, `b${i}`)))),
    ].map((s) => s.message.id as string);
    const last = sent[sent.length - 1]!;
    // Both hosts run the plugin and both hear every change on their bus: wait until the last
    // message reached the client on A through the bus, then count what the plugin handled.
    await adaOnA.waitFor((f) => f.type === 'message.created' && f.message.id === last);
    const seen = await waitForRecords(events, (r) => r.event === 'event' && sent.includes(r.messageId), sent.length);
    // A later marker, dispatched after all of them, proves no second dispatch is still on its way.
    const marker = await bobOnB.sendText(room.id, 'marker');
    await waitForRecord(events, (r) => r.event === 'event' && r.messageId === marker.message.id);
    const handled = readRecords(events).filter((r) => r.event === 'event' && sent.includes(r.messageId));
    expect(handled.map((r) => r.messageId).sort()).toEqual([...sent].sort());
    expect(seen).toHaveLength(sent.length);
  });
});

describe('the bus setting', () => {
  it('is off by default, and SWITCHBOARD_BUS_URL sets bus.url', () => {
    expect(buildConfig().bus).toEqual({ prefix: 'switchboard:', presenceIntervalMs: 10_000 });
    const config = loadConfig({ argv: [], env: { SWITCHBOARD_BUS_URL: 'redis://redis.internal:6379' } });
    expect(config.bus).toEqual({
      url: 'redis://redis.internal:6379',
      prefix: 'switchboard:',
      presenceIntervalMs: 10_000,
    });
  });

  it('on SQLite is refused with bus_requires_postgres before anything is opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-bus-sqlite-'));
    try {
      const config = buildConfig({
        dataDir: join(dir, 'data'),
        database: { url: `sqlite:${join(dir, 'switchboard.db')}` },
        bus: { url: REDIS_URL, prefix },
        log: { level: 'silent' },
      });
      const refused = await startHost(config).then(
        () => null,
        (err: unknown) => err,
      );
      expect(refused).toBeInstanceOf(SwitchboardError);
      expect(refused).toMatchObject({ code: 'bus_requires_postgres' });
      expect((refused as Error).message).toMatch(/PostgreSQL/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
