/**
 * A member added to a group starts reading at their join: the messages before it are history,
 * not unread (nor are their mentions); the system.members_added notice that adds them is their
 * one unread message, and what comes after counts as for everyone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online } from './support/protocol-helpers.js';
import { conversationOn } from './support/messaging-helpers.js';

describe('unread counts of a member added to a group', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function add(owner: TestUser, conversationId: string, user: TestUser) {
    const res = await host.http('POST', `/v1/conversations/${conversationId}/members`, {
      token: owner.token,
      body: { userIds: [user.id] },
    });
    expect(res.status).toBe(200);
  }

  it('counts only the notice that adds them, then what follows; history before the join is not unread', async () => {
    const [owner, member, late] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const group = await host.createGroup(owner, [member]);
    const [co, cm] = await Promise.all([online(host, owner), online(host, member)]);
    for (let i = 0; i < 6; i++) await cm.sendText(group.id, `before ${i}`);
    await co.sendText(group.id, 'everyone, @all: before the join');

    await add(owner, group.id, late);
    const joined = await conversationOn(host, group.id, late);
    expect(joined.lastMessage.content.type).toBe('system.members_added');
    expect(joined).toMatchObject({ unreadCount: 1, mentionCount: 0, myReadSeq: joined.lastSeq - 1 });
    const members = await host.http('GET', `/v1/conversations/${group.id}/members`, { token: late.token });
    expect(members.body.members.find((m: { userId: string }) => m.userId === late.id).readSeq).toBe(joined.lastSeq - 1);

    await cm.sendText(group.id, 'after the join');
    await co.sendText(group.id, '@all after the join');
    expect(await conversationOn(host, group.id, late)).toMatchObject({ unreadCount: 3, mentionCount: 1 });
    // The members already there count as before.
    expect(await conversationOn(host, group.id, member)).toMatchObject({ unreadCount: 4, mentionCount: 2 });
  });

  it('starts again at the new join for someone who left and is added back', async () => {
    const [owner, comer] = await Promise.all([host.createUser(), host.createUser()]);
    const group = await host.createGroup(owner, [comer]);
    const co = await online(host, owner);
    await co.sendText(group.id, 'while there');
    expect((await host.http('POST', `/v1/conversations/${group.id}/leave`, { token: comer.token })).status).toBe(204);
    for (let i = 0; i < 3; i++) await co.sendText(group.id, `while away ${i}`);
    await add(owner, group.id, comer);
    expect(await conversationOn(host, group.id, comer)).toMatchObject({ unreadCount: 1, mentionCount: 0 });
  });
});
