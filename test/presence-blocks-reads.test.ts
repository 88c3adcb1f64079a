/**
 * Presence's memory of blocked pairs (host/realtime/presence-blocks.ts) keeps, per pair, what it
 * needs to order its reads only while a read of the pair is in flight: a host whose users block
 * and unblock all day holds nothing for them once the reads have answered, a failed read
 * included. Run against the real database, the host stopped so the test may hold it. A
 * subscription learns its pairs from the query that checks whom the subscriber shares a
 * conversation with (MemberDirectory.sharingWithBlocks), which tells a block either way round.
 */
import 'reflect-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { MemberDirectory } from '../host/conversations/member-directory.js';
import { createLogger } from '../host/logging/logger.js';
import { PresenceBlocks } from '../host/realtime/presence-blocks.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { openDirect, testDatabaseKind } from './support/test-database.js';

describe('presence: the reads of blocked pairs', () => {
  let host: TestHost;
  let db: Knex;
  let a: TestUser, b: TestUser, c: TestUser;
  let members: MemberDirectory;
  const directoryOn = (knex: Knex) =>
    new MemberDirectory(
      { knex, kind: testDatabaseKind, location: 'test', close: () => knex.destroy() },
      createLogger({ level: 'silent' }),
    );

  beforeAll(async () => {
    host = await startTestHost();
    [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    await Promise.all([host.direct(a, b), host.direct(a, c)]);
    expect((await host.http('PUT', `/v1/me/blocks/${b.id}`, { token: a.token })).status).toBe(200);
    await host.stopHostOnly();
    db = openDirect(host.database);
    members = directoryOn(db);
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
    const [, , learnt] = await Promise.all([
      blocks.recheck(b.id, a.id),
      blocks.recheck(a.id, c.id),
      blocks.learn(a.id, [b.id, c.id], () => members.sharingWithBlocks(a.id, [b.id, c.id])),
      blocks.relearn(follows),
      blocks.recheck(a.id, b.id),
    ]);
    expect(blocks.pairsBeingRead).toBe(0);
    // The subscription's query tells a block either way round: a blocks b.
    expect([...learnt]).toEqual(
      expect.arrayContaining([
        [b.id, true],
        [c.id, false],
      ]),
    );
    expect([...(await members.sharingWithBlocks(b.id, [a.id, b.id, c.id]))]).toEqual([
      [b.id, false],
      [a.id, true],
    ]);
    expect([blocks.hides(a.id, b.id), blocks.hides(b.id, a.id), blocks.hides(a.id, c.id)]).toEqual([true, true, false]);
  });

  it('keeps nothing for a pair whose read failed', async () => {
    const gone = openDirect(host.database);
    await gone.destroy();
    const blocks = new PresenceBlocks(() => gone);
    await expect(blocks.recheck(a.id, c.id)).rejects.toThrow();
    const lost = directoryOn(gone);
    await expect(blocks.learn(a.id, [b.id], () => lost.sharingWithBlocks(a.id, [b.id]))).rejects.toThrow();
    expect(blocks.pairsBeingRead).toBe(0);
  });
});
