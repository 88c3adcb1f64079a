/**
 * Presence's memory of blocked pairs (host/realtime/presence-blocks.ts) keeps, per pair, what it
 * needs to order its reads only while a read of the pair is in flight: a host whose users block
 * and unblock all day holds nothing for them once the reads have answered, a failed read
 * included. Run against the real database, the host stopped so the test may hold it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { PresenceBlocks } from '../host/realtime/presence-blocks.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { openDirect } from './support/test-database.js';

describe('presence: the reads of blocked pairs', () => {
  let host: TestHost;
  let db: Knex;
  let a: TestUser, b: TestUser, c: TestUser;

  beforeAll(async () => {
    host = await startTestHost();
    [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    expect((await host.http('PUT', `/v1/me/blocks/${b.id}`, { token: a.token })).status).toBe(200);
    await host.stopHostOnly();
    db = openDirect(host.database);
  });
  afterAll(async () => {
    await db?.destroy();
    await host?.stop();
  });

  it('answers each read and keeps nothing for a pair once its reads have answered', async () => {
    const blocks = new PresenceBlocks(() => db);
    expect(await blocks.recheck(a.id, b.id)).toEqual({ a: a.id, b: b.id, hidden: true });
    expect(blocks.pairsBeingRead).toBe(0);

    // Many reads of the same pairs at once, of each kind.
    const follows = new Map([
      [a.id, new Set([b.id, c.id])],
      [b.id, new Set([a.id])],
    ]);
    await Promise.all([
      blocks.recheck(b.id, a.id),
      blocks.recheck(a.id, c.id),
      blocks.learn(a.id, [b.id, c.id]),
      blocks.relearn(follows),
      blocks.recheck(a.id, b.id),
    ]);
    expect(blocks.pairsBeingRead).toBe(0);
    expect([blocks.hides(a.id, b.id), blocks.hides(b.id, a.id), blocks.hides(a.id, c.id)]).toEqual([true, true, false]);
  });

  it('keeps nothing for a pair whose read failed', async () => {
    const gone = openDirect(host.database);
    await gone.destroy();
    const blocks = new PresenceBlocks(() => gone);
    await expect(blocks.recheck(a.id, c.id)).rejects.toThrow();
    await expect(blocks.learn(a.id, [b.id])).rejects.toThrow();
    expect(blocks.pairsBeingRead).toBe(0);
  });
});
