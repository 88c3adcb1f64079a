/**
 * The business inbox: business hours. Outside them the customer gets the away message once per
 * conversation per day, however often they write; invalid hours are refused, and within them no
 * away message is sent.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { botOf } from './support/plugin-helpers.js';
import { fullHistory } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import type { WebhookReceiver } from './support/webhook-receiver.js';
import { startInbox, type Inbox } from './support/inbox-helpers.js';

describe('business inbox: business hours and the away reply', () => {
  let inbox: Inbox;
  let host: TestHost;
  let api: Inbox['api'];
  let receiver: WebhookReceiver;
  let owner: TestUser;
  let businessId: string;
  const newCustomerWrites = (text?: string) => inbox.newCustomerWrites(text);

  /**
   * The customer writes once more and the business's webhook gets that message's `message` event.
   * Called once the earlier messages' own `message` events are here: all that was left of their
   * follow-up then (the away-reply decision, one conditional update) is a small part of the work
   * this later message went through (stored, handed to the plugin, written, its event stored and
   * delivered), so a positive signal that those decisions have been made, not a guessed pause.
   */
  async function afterLaterMessage(customer: TestUser, thread: { threadId: string; conversationId: string }) {
    const text = `later ${Date.now()}-${Math.random()}`;
    await api.customerSays(customer, thread.conversationId, text);
    await receiver.waitForEvent(
      (e) => e.type === 'message' && e.threadId === thread.threadId && e.message?.content?.text === text,
    );
  }

  beforeAll(async () => {
    inbox = await startInbox();
    ({ host, api, receiver, owner, businessId } = inbox);
  });
  afterAll(async () => {
    await inbox?.stop();
  });

  it('answers outside business hours with the away message, once per conversation per day', async () => {
    const businessBot = await botOf(host, 'business');
    const today = new Date()
      .toLocaleDateString('en-US', { weekday: 'short', timeZone: 'UTC' })
      .toLowerCase()
      .slice(0, 3);
    const otherDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].find((d) => d !== today)!;
    const closed = await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
      hours: { timezone: 'UTC', weekly: { [otherDay]: [['09:00', '17:00']] } },
      awayMessage: 'We are closed; we answer from 9:00.',
    });
    expect(closed.body.openNow).toBe(false);
    expect(
      (
        await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
          hours: { timezone: 'Mars/Olympus', weekly: {} },
        })
      ).body.error.code,
    ).toBe('invalid_business_request');
    expect(
      (
        await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
          hours: { timezone: 'UTC', weekly: { mon: [['17:00', '09:00']] } },
        })
      ).body.error.code,
    ).toBe('invalid_business_request');
    const { customer, thread } = await newCustomerWrites('first');
    await api.customerSays(customer, thread.conversationId, 'second');
    await api.customerSays(customer, thread.conversationId, 'third');
    const awayReplies = async (c: TestUser, conversationId: string, text?: string) =>
      (await fullHistory(host.url, c.token, conversationId)).filter(
        (m) =>
          m.senderId === businessBot && (text === undefined ? m.content?.type === 'text' : m.content?.text === text),
      );
    await eventually(
      async () =>
        (await awayReplies(customer, thread.conversationId, 'We are closed; we answer from 9:00.')).length > 0,
      { timeoutMs: 10_000, what: 'the away reply' },
    );
    // Every message has had its follow-up (the plugin sends the `message` event and then decides
    // on the away reply)...
    for (const text of ['first', 'second', 'third'])
      await receiver.waitForEvent(
        (e) => e.type === 'message' && e.threadId === thread.threadId && e.message.content.text === text,
      );
    // ...and a later one has been through all of it too, so the decisions for the three are made.
    await afterLaterMessage(customer, thread);
    expect(await awayReplies(customer, thread.conversationId, 'We are closed; we answer from 9:00.')).toHaveLength(1);
    // Open all week: no away reply.
    const all = Object.fromEntries(
      ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => [d, [['00:00', '24:00']]]),
    );
    expect(
      (
        await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
          hours: { timezone: 'Asia/Tokyo', weekly: all },
        })
      ).body.openNow,
    ).toBe(true);
    const open = await newCustomerWrites('open?');
    await receiver.waitForEvent(
      (e) => e.type === 'message' && e.threadId === open.thread.threadId && e.message.content.text === 'open?',
    );
    await afterLaterMessage(open.customer, open.thread);
    expect(await awayReplies(open.customer, open.thread.conversationId)).toHaveLength(0);
    await api.call(owner, 'PATCH', `/businesses/${businessId}/settings`, { hours: null, awayMessage: null });
  });
});
