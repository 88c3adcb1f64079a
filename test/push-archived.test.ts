/**
 * Pushes from an archived conversation (WhatsApp's "keep chats archived"): only what is addressed
 * to the person (a mention of them by name, a reply in a thread they follow) is pushed; a direct
 * conversation's other messages and an @all are not, until they unarchive it.
 */
import { describe, expect, it } from 'vitest';
import type { TestUser } from './support/start-test-host.js';
import { pushIdle, pushSuite, subscribe } from './support/push-helpers.js';
import { send } from './support/messaging-helpers.js';
import { online } from './support/protocol-helpers.js';

const suite = pushSuite();

async function archive(user: TestUser, conversationId: string, archived: boolean): Promise<void> {
  const res = await suite.host.http('PUT', `/v1/conversations/${conversationId}/archive`, {
    token: user.token,
    body: { archived },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
}

describe('push from archived conversations', () => {
  it('pushes a direct message only when it mentions the person, and every message once unarchived', async () => {
    const [a, b] = await Promise.all([suite.host.createUser({ displayName: 'Ann' }), suite.host.createUser()]);
    const conv = await suite.host.direct(a, b);
    const browser = await subscribe(suite.host, b, suite.service);
    const ca = await online(suite.host, a);
    await archive(b, conv.id, true);

    await send(ca, conv.id, { type: 'text', text: 'are you there?' });
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(browser)).toEqual([]);

    const { message: mention } = await send(ca, conv.id, { type: 'text', text: `@${b.handle} are you there?` });
    expect(mention.entities).toEqual([expect.objectContaining({ type: 'mention', userId: b.id })]);
    const push = await suite.service.waitForPush(browser);
    expect(push.payload).toMatchObject({ type: 'mention', messageId: mention.id });

    await archive(b, conv.id, false);
    const { message: plain } = await send(ca, conv.id, { type: 'text', text: 'back?' });
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(browser).map((p) => p.payload.messageId)).toEqual([mention.id, plain.id]);
  });

  it('in an archived group, pushes a mention by name and a followed thread reply, never an @all', async () => {
    const [a, b, c] = await Promise.all([
      suite.host.createUser({ displayName: 'Ann' }),
      suite.host.createUser(),
      suite.host.createUser(),
    ]);
    const group = await suite.host.createGroup(a, [b, c], 'Allotment');
    const [bBrowser, cBrowser] = [
      await subscribe(suite.host, b, suite.service),
      await subscribe(suite.host, c, suite.service),
    ];
    const ca = await online(suite.host, a);
    await archive(b, group.id, true);

    // c did not archive: the @all reaches c, not b.
    const { message: all } = await send(ca, group.id, { type: 'text', text: '@all water the beans' });
    await suite.service.waitForPush(cBrowser);
    const { message: root } = await send(ca, group.id, { type: 'text', text: 'Seeds to order?' });
    const follow = await suite.host.http('PUT', `/v1/conversations/${group.id}/threads/${root.id}/follow`, {
      token: b.token,
    });
    expect(follow.status, JSON.stringify(follow.body)).toBeLessThan(300);
    const { message: reply } = await send(
      ca,
      group.id,
      { type: 'text', text: 'Runner beans' },
      { threadRootId: root.id },
    );
    const { message: named } = await send(ca, group.id, { type: 'text', text: `@${b.handle} your plot?` });
    await pushIdle(suite.host);
    const toB = suite.service.pushesTo(bBrowser).map((p) => [p.payload.type, p.payload.messageId]);
    // Pushes go several at a time, so in either order.
    expect(toB).toHaveLength(2);
    expect(toB).toEqual(
      expect.arrayContaining([
        ['thread_reply', reply.id],
        ['mention', named.id],
      ]),
    );
    expect(suite.service.pushesTo(cBrowser).map((p) => p.payload.messageId)).toEqual([all.id]);
  });
});
