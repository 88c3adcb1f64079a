/**
 * The notifications.send capability: a plugin pushes to people its bot shares a conversation
 * with, under its permission, with checked input; the push is the host's (same checks, same service).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from './support/start-test-host.js';
import { pushIdle, pushSuite, subscribe } from './support/push-helpers.js';
import { enable, expectDenied, probeManifest, prober, roomWith, valueOf } from './support/plugin-helpers.js';

let owner: TestUser;
let member: TestUser;

const suite = pushSuite({
  config: {
    plugins: {
      enabled: [
        enable(
          probeManifest('notifier', { command: 'notifier', permissions: { commands: {}, 'notifications.send': {} } }),
          { settings: { command: 'notifier' } },
        ),
        enable(probeManifest('unnotified', { command: 'unnotified' }), { settings: { command: 'unnotified' } }),
      ],
    },
  },
});

beforeAll(async () => {
  [owner, member] = await Promise.all([suite.host.createUser(), suite.host.createUser({ displayName: 'Mo' })]);
});

describe('the notifications.send capability', () => {
  it('pushes to a member of a conversation with the bot, with the plugin’s title and text', async () => {
    const room = await roomWith(suite.host, owner, ['notifier'], [member]);
    const browser = await subscribe(suite.host, member, suite.service);
    const call = prober(suite.host, owner, room.id, 'notifier');
    valueOf(
      await call('notifications.send', member.id, { title: 'Reminder', body: 'Standup in 5', conversationId: room.id }),
    );
    const push = await suite.service.waitForPush(browser);
    expect(push.payload).toEqual({
      type: 'plugin',
      conversationId: room.id,
      messageId: null,
      title: 'Reminder',
      body: 'Standup in 5',
      url: `/c/${room.id}`,
    });
    expect(push.urgency).toBe('normal');
  });

  it('refuses people the bot shares no conversation with, bad input, and plugins without the permission', async () => {
    const room = await roomWith(suite.host, owner, ['notifier', 'unnotified'], [member]);
    const stranger = await suite.host.createUser();
    const strangersBrowser = await subscribe(suite.host, stranger, suite.service);
    const elsewhere = await suite.host.createGroup(owner, [member], 'No bot here');
    const call = prober(suite.host, owner, room.id, 'notifier');
    const note = { title: 'Hi', body: 'there' };
    expect(await call('notifications.send', stranger.id, note)).toMatchObject({ ok: false, code: 'forbidden' });
    expect(await call('notifications.send', member.id, { ...note, conversationId: elsewhere.id })).toMatchObject({
      ok: false,
      code: 'conversation_not_found',
    });
    for (const bad of [
      { ...note, url: '//evil.example/phish' },
      { ...note, url: 'https://evil.example/' },
      { ...note, title: '' },
      { ...note, title: 'x'.repeat(121) },
      { ...note, kind: 'mention' },
      { ...note, extra: true },
    ])
      expect(await call('notifications.send', member.id, bad), JSON.stringify(bad)).toMatchObject({
        ok: false,
        code: 'invalid_request',
      });
    expectDenied(
      await prober(suite.host, owner, room.id, 'unnotified')('notifications.send', member.id, note),
      'notifications.send',
    );
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(strangersBrowser)).toEqual([]);
  });
});
