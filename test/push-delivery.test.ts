/**
 * Web Push of direct messages, end to end: a real host pushes to a real push service on a local
 * port, which verifies the VAPID signature and decrypts the payload with the browser's keys.
 */
import { describe, expect, it } from 'vitest';
import { startTestHost } from './support/start-test-host.js';
import { pushIdle, pushSuite, startPushHost, subscribe, wentOffline } from './support/push-helpers.js';
import { send } from './support/messaging-helpers.js';
import { online } from './support/protocol-helpers.js';
import { sample, scrape } from './support/metrics-helpers.js';
import { eventually } from './support/eventually.js';

const suite = pushSuite();

describe('push of direct messages', () => {
  it('pushes a direct message to a person with no socket open: signed, encrypted, with its fields', async () => {
    const [a, b] = await Promise.all([suite.host.createUser({ displayName: 'Alice Martin' }), suite.host.createUser()]);
    const conv = await suite.host.direct(a, b);
    const bobsBrowser = await subscribe(suite.host, b, suite.service);
    const alicesBrowser = await subscribe(suite.host, a, suite.service);
    const ca = await online(suite.host, a);
    const text = `Dinner at eight? ${'la '.repeat(60)}`;
    const { message } = await send(ca, conv.id, { type: 'text', text });

    const push = await suite.service.waitForPush(bobsBrowser);
    const preview = `${text.replace(/\s+/g, ' ').slice(0, 119)}…`;
    expect(push.payload).toEqual({
      type: 'direct_message',
      conversationId: conv.id,
      messageId: message.id,
      title: 'Alice Martin',
      body: preview,
      url: `/c/${conv.id}`,
    });
    expect([...push.payload.body]).toHaveLength(120);
    const key = await suite.host.http('GET', '/v1/push/vapid-key', { token: b.token });
    expect(key.status).toBe(200);
    expect(push.vapidKey).toBe(key.body.publicKey);
    expect(push.claims.aud).toBe(suite.service.origin);
    expect(push.ttl).toBe('86400');
    expect(push.urgency).toBe('high');
    await pushIdle(suite.host);
    // The sender's own browser hears nothing of what they sent.
    expect(suite.service.pushesTo(alicesBrowser)).toEqual([]);
    expect(suite.service.pushesTo(bobsBrowser)).toHaveLength(1);
    expect(suite.service.refused).toEqual([]);
    expect(
      sample(await scrape(suite.host), 'switchboard_push_sends_total', { outcome: 'sent' }),
    ).toBeGreaterThanOrEqual(1);
  });

  it("shows a formatted text's words without its markers, as the clients' previews do", async () => {
    const [a, b] = await Promise.all([suite.host.createUser(), suite.host.createUser()]);
    const conv = await suite.host.direct(a, b);
    const bobsBrowser = await subscribe(suite.host, b, suite.service);
    const ca = await online(suite.host, a);
    await send(ca, conv.id, { type: 'text', text: `*Urgent*: run \`npm ci\`, _then_ ping @${b.handle} ~now~` });
    const push = await suite.service.waitForPush(bobsBrowser);
    expect(push.payload.body).toBe(`Urgent: run npm ci, then ping @${b.handle} now`);
  });

  it('pushes nothing while the person has a socket open, and pushes again once they leave', async () => {
    const [a, b] = await Promise.all([suite.host.createUser(), suite.host.createUser()]);
    const conv = await suite.host.direct(a, b);
    const browser = await subscribe(suite.host, b, suite.service);
    const ca = await online(suite.host, a);
    await ca.request({ type: 'presence.subscribe', userIds: [b.id] });
    const cb = await online(suite.host, b);
    await ca.next((f) => f.type === 'presence' && f.userId === b.id && f.status === 'online');
    await send(ca, conv.id, { type: 'text', text: 'you are here' });
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(browser)).toEqual([]);

    await cb.close();
    await wentOffline(ca, b);
    const { message } = await send(ca, conv.id, { type: 'text', text: 'and now you are away' });
    const push = await suite.service.waitForPush(browser);
    expect(push.payload).toMatchObject({ messageId: message.id, body: 'and now you are away' });
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(browser)).toHaveLength(1);
  });

  it('gives a structured message a generic line, never its body', async () => {
    const host2 = await startPushHost({ messageTypes: { 'test.card': { schema: { type: 'object' } } } });
    try {
      const [a, b] = await Promise.all([host2.createUser(), host2.createUser()]);
      const conv = await host2.direct(a, b);
      const browser = await subscribe(host2, b, suite.service);
      const ca = await online(host2, a);
      // Not digits: the payload's ids are hex, and one held "4242" once.
      await send(ca, conv.id, { type: 'test.card', body: { secret: 'card holder Quixotic Zyx' } });
      const push = await suite.service.waitForPush(browser);
      expect(push.payload.body).toBe('Sent a message');
      expect(JSON.stringify(push.payload)).not.toMatch(/quixotic|zyx/i);
    } finally {
      await host2.stop();
    }
  });

  it('deletes a subscription the push service answers 410 for, and pushes to it no more', async () => {
    const [a, b] = await Promise.all([suite.host.createUser(), suite.host.createUser()]);
    const conv = await suite.host.direct(a, b);
    const gone = await subscribe(suite.host, b, suite.service);
    const kept = await subscribe(suite.host, b, suite.service);
    const goneId = gone.endpoint.split('/').pop();
    suite.service.respond = (id) => (id === goneId ? 410 : 201);
    try {
      const ca = await online(suite.host, a);
      await send(ca, conv.id, { type: 'text', text: 'first' });
      await suite.service.waitForPush(gone);
      await suite.service.waitForPush(kept);
      await pushIdle(suite.host);
      expect(sample(await scrape(suite.host), 'switchboard_push_sends_total', { outcome: 'gone' })).toBe(1);
      await send(ca, conv.id, { type: 'text', text: 'second' });
      await eventually(() => suite.service.pushesTo(kept).length === 2, {
        what: 'the second push to the kept browser',
      });
      await pushIdle(suite.host);
      // The push service records every push it gets, 410 or not: the host tried the gone one only once.
      expect(suite.service.pushesTo(gone)).toHaveLength(1);
    } finally {
      suite.service.respond = () => 201;
    }
  });

  it('drops what does not fit the queue, counted, and never holds up a send', async () => {
    const host = await startPushHost({ config: { push: { queueSize: 1, concurrency: 1, timeoutMs: 1000 } } });
    suite.service.hold = () => true;
    try {
      const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
      const conv = await host.direct(a, b);
      await subscribe(host, b, suite.service);
      const ca = await online(host, a);
      const sent = await Promise.all(
        Array.from({ length: 30 }, (_, i) => send(ca, conv.id, { type: 'text', text: `burst ${i}` })),
      );
      expect(sent.map((s) => s.message.seq).sort((x, y) => x - y)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      await eventually(async () => (sample(await scrape(host), 'switchboard_push_dropped_total') ?? 0) > 0, {
        what: 'pushes to be dropped',
      });
      // The held pushes end at push.timeoutMs as failures.
      await eventually(
        async () => (sample(await scrape(host), 'switchboard_push_sends_total', { outcome: 'failed' }) ?? 0) > 0,
        {
          what: 'a held push to fail',
        },
      );
    } finally {
      suite.service.hold = () => false;
      await host.stop();
    }
  });

  it('sends nothing and offers no key when push.enabled is false', async () => {
    const off = await startTestHost({ config: { push: { enabled: false } } });
    try {
      const user = await off.createUser();
      const key = await off.http('GET', '/v1/push/vapid-key', { token: user.token });
      expect(key.status).toBe(404);
      expect(key.body.error.code).toBe('push_disabled');
      const sub = await off.http('POST', '/v1/push/subscriptions', {
        token: user.token,
        body: suite.service.newBrowser(),
      });
      expect(sub.body.error.code).toBe('push_disabled');
    } finally {
      await off.stop();
    }
  });
});
