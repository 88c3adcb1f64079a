/**
 * Search shows only what history() would: messages of the conversations the caller is a member
 * of now. Another conversation's messages never appear, those of a conversation left or removed
 * from stop appearing at once, and naming a conversation one is not in tells nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { foundIds, postText, searchAs, uniqueWord } from './support/search-helpers.js';

describe('search: who sees what', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('never shows another conversation’s messages, whatever the filters', async () => {
    const [a, b, outsider] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const theirs = await host.direct(a, b);
    const mine = await host.direct(outsider, a);
    const word = uniqueWord();
    const secret = await postText(host, a, theirs.id, `secret ${word}`);
    const shared = await postText(host, a, mine.id, `shared ${word}`);

    expect(await foundIds(host, outsider, { q: word })).toEqual([shared.id]);
    expect(await foundIds(host, outsider, { q: `secret ${word}` })).toEqual([]);
    expect(await foundIds(host, outsider, { q: word, senderId: a.id })).toEqual([shared.id]);
    expect(await foundIds(host, b, { q: word })).toEqual([secret.id]);

    // Naming the conversation answers as history does: no such conversation, for one the caller is not in or one that does not exist.
    for (const conversationId of [theirs.id, '00000000-0000-4000-8000-000000000000']) {
      const res = await searchAs(host, outsider, { q: word, conversationId });
      expect(res.status).toBe(404);
      expect(res.body.error!.code).toBe('conversation_not_found');
    }
  });

  it('stops showing a group’s messages the moment the caller leaves or is removed, and shows them again once re-added', async () => {
    const [owner, leaver, removed] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const group = await host.createGroup(owner, [leaver, removed]);
    const word = uniqueWord();
    const before = await postText(host, owner, group.id, `before ${word}`);
    const own = await postText(host, leaver, group.id, `mine ${word}`);
    for (const user of [leaver, removed]) expect(await foundIds(host, user, { q: word })).toEqual([own.id, before.id]);

    expect((await host.http('POST', `/v1/conversations/${group.id}/leave`, { token: leaver.token })).status).toBe(204);
    const removal = await host.http('DELETE', `/v1/conversations/${group.id}/members/${removed.id}`, {
      token: owner.token,
    });
    expect(removal.status).toBe(204);
    for (const user of [leaver, removed]) {
      // Even the caller's own messages: they are the group's.
      expect(await foundIds(host, user, { q: word })).toEqual([]);
      const scoped = await searchAs(host, user, { q: word, conversationId: group.id });
      expect(scoped.status).toBe(404);
    }
    expect(await foundIds(host, owner, { q: word })).toEqual([own.id, before.id]);

    const readd = await host.http('POST', `/v1/conversations/${group.id}/members`, {
      token: owner.token,
      body: { userIds: [removed.id] },
    });
    expect(readd.status).toBe(200);
    expect(await foundIds(host, removed, { q: word })).toEqual([own.id, before.id]);
    expect(await foundIds(host, leaver, { q: word })).toEqual([]);
  });

  it('asks for a token', async () => {
    const res = await host.http('GET', '/v1/search?q=hello');
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });
});
