/**
 * Pushes in groups: a group message alone tells nobody; a mention (by handle, or @all) tells
 * those it names, and a reply in a thread tells its followers (part C's entities and followers);
 * never someone who blocks the sender.
 */
import { describe, expect, it } from 'vitest';
import type { TestUser } from './support/start-test-host.js';
import type { BrowserSubscription } from './support/push-service.js';
import { pushIdle, pushSuite, subscribe } from './support/push-helpers.js';
import { send } from './support/messaging-helpers.js';
import { online } from './support/protocol-helpers.js';
import type { TestClient } from './support/test-client.js';

const suite = pushSuite();

interface Group {
  a: TestUser;
  b: TestUser;
  c: TestUser;
  id: string;
  ca: TestClient;
  bBrowser: BrowserSubscription;
  cBrowser: BrowserSubscription;
}

/** A group of a (online, the owner) and b and c (away, each with a browser subscribed). */
async function group(title: string): Promise<Group> {
  const [a, b, c] = await Promise.all([
    suite.host.createUser({ displayName: 'Ann' }),
    suite.host.createUser(),
    suite.host.createUser(),
  ]);
  const conv = await suite.host.createGroup(a, [b, c], title);
  const [bBrowser, cBrowser] = [
    await subscribe(suite.host, b, suite.service),
    await subscribe(suite.host, c, suite.service),
  ];
  return { a, b, c, id: conv.id, ca: await online(suite.host, a), bBrowser, cBrowser };
}

describe('push in groups', () => {
  it('tells nobody of a plain group message, and the person mentioned of a mention', async () => {
    const g = await group('Climbing club');
    await send(g.ca, g.id, { type: 'text', text: 'anyone free on Sunday?' });
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(g.bBrowser)).toEqual([]);
    expect(suite.service.pushesTo(g.cBrowser)).toEqual([]);

    const { message } = await send(g.ca, g.id, { type: 'text', text: `@${g.b.handle} you said Sunday?` });
    expect(message.entities).toEqual([expect.objectContaining({ type: 'mention', userId: g.b.id })]);
    const push = await suite.service.waitForPush(g.bBrowser);
    expect(push.payload).toEqual({
      type: 'mention',
      conversationId: g.id,
      messageId: message.id,
      title: 'Ann mentioned you · Climbing club',
      body: `@${g.b.handle} you said Sunday?`,
      url: `/c/${g.id}`,
    });
    expect(push.urgency).toBe('high');
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(g.cBrowser)).toEqual([]);
  });

  it('tells every member away of an @all', async () => {
    const g = await group('Flat 4B');
    const { message } = await send(g.ca, g.id, { type: 'text', text: '@all rent is due' });
    const [pb, pc] = await Promise.all([suite.service.waitForPush(g.bBrowser), suite.service.waitForPush(g.cBrowser)]);
    for (const push of [pb, pc]) expect(push.payload).toMatchObject({ type: 'mention', messageId: message.id });
  });

  it('tells the followers of a thread of its replies, and no one else', async () => {
    const g = await group('Book club');
    const { message: root } = await send(g.ca, g.id, { type: 'text', text: 'Next book?' });
    const follow = await suite.host.http('PUT', `/v1/conversations/${g.id}/threads/${root.id}/follow`, {
      token: g.b.token,
    });
    expect(follow.status, JSON.stringify(follow.body)).toBeLessThan(300);
    const { message: reply } = await send(g.ca, g.id, { type: 'text', text: 'Middlemarch' }, { threadRootId: root.id });
    const push = await suite.service.waitForPush(g.bBrowser);
    expect(push.payload).toEqual({
      type: 'thread_reply',
      conversationId: g.id,
      messageId: reply.id,
      title: 'Ann · Book club',
      body: 'Middlemarch',
      url: `/c/${g.id}`,
    });
    expect(push.urgency).toBe('normal');
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(g.cBrowser)).toEqual([]);
    expect(suite.service.pushesTo(g.bBrowser)).toHaveLength(1);
  });

  it('tells nobody of a mention by someone they block, whatever it names', async () => {
    const g = await group('Choir');
    const blocked = await suite.host.http('PUT', `/v1/me/blocks/${g.a.id}`, { token: g.b.token });
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
    const { message } = await send(g.ca, g.id, { type: 'text', text: `@${g.b.handle} @${g.c.handle} practice at 7` });
    expect(message.entities).toHaveLength(2);
    // c, who blocks nobody, is told; b is not, by name nor by @all.
    await suite.service.waitForPush(g.cBrowser);
    await send(g.ca, g.id, { type: 'text', text: '@all bring water' });
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(g.cBrowser)).toHaveLength(2);
    expect(suite.service.pushesTo(g.bBrowser)).toEqual([]);
  });
});
