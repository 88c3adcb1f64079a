/**
 * Taps on a plugin's own structured message types: a plugin that contributes a type (here a
 * carousel whose elements have buttons) and sends it as its bot receives the taps on the ids of
 * any `buttons` or `quickReplies` array in the body, at any depth, exactly as for its cards.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID, startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import { online, refusal } from './support/protocol-helpers.js';
import { enable, pluginLogs, roomWith, runCommand } from './support/plugin-helpers.js';
import { assertUniqueTappableIds, tappableIds } from '../host/messages/tappable-ids.js';

const ENTRY = join(repoRoot, 'test/fixtures/plugins/interactive-card/index.ts');

const button = {
  type: 'object',
  additionalProperties: false,
  required: ['label'],
  properties: {
    type: { enum: ['postback', 'url'] },
    id: { type: 'string', minLength: 1, maxLength: 64 },
    url: { type: 'string' },
    label: { type: 'string' },
  },
};
const CAROUSEL_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['elements'],
  properties: {
    elements: {
      type: 'array',
      minItems: 1,
      maxItems: 10,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['title'],
        properties: { title: { type: 'string' }, buttons: { type: 'array', items: button } },
      },
    },
    quickReplies: { type: 'array', items: button },
  },
};

function manifest(id: string, permissions: Record<string, object>): Record<string, unknown> {
  return {
    id,
    name: `Carousel ${id}`,
    version: '1.0.0',
    description: 'A fixture of the interactive types suite.',
    author: { name: 'Switchboard tests' },
    engine: '^1.0.0',
    runtime: 'trusted',
    entry: ENTRY,
    permissions: { commands: {}, 'messages.send': {}, ...permissions },
    contributes: {
      commands: [
        {
          name: id,
          description: 'Carousels.',
          arguments: [
            { name: 'op', required: true, type: 'string' },
            { name: 'args', type: 'rest' },
          ],
        },
      ],
      messageTypes: [{ type: `${id}.generic`, schema: CAROUSEL_SCHEMA }],
    },
  };
}

const CAROUSEL = {
  elements: [
    {
      title: 'Red shirt',
      buttons: [
        { type: 'postback', id: 'buy-red', label: 'Buy' },
        { type: 'url', url: 'https://shop.example/red', label: 'Details' },
      ],
    },
    {
      title: 'Blue shirt',
      buttons: [
        { type: 'postback', id: 'buy-blue', label: 'Buy' },
        { type: 'url', url: 'https://shop.example/blue', label: 'Details' },
      ],
    },
    { title: 'No buttons' },
  ],
  quickReplies: [{ id: 'more', label: 'Show more' }],
};

describe('tappableIds', () => {
  it('finds the string ids of objects in buttons and quickReplies arrays, at any depth', () => {
    expect(tappableIds(CAROUSEL).sort()).toEqual(['buy-blue', 'buy-red', 'more']);
    expect(
      tappableIds({
        text: 'Card',
        buttons: [{ id: 'yes', label: 'Yes' }],
        quickReplies: [{ id: 'later', label: 'Later' }],
      }).sort(),
    ).toEqual(['later', 'yes']);
    expect(
      tappableIds({ a: [{ b: { buttons: [{ id: 'deep' }, { id: 7 }, 'x', null, [{ id: 'in-array' }]] } }] }),
    ).toEqual(['deep']);
    // Only arrays named buttons or quickReplies count; an id elsewhere is not a button.
    expect(tappableIds({ id: 'top', items: [{ id: 'item' }], buttons: { id: 'not-an-array' } })).toEqual([]);
    expect(tappableIds({ buttons: [{ id: 'a', buttons: [{ id: 'b' }] }] }).sort()).toEqual(['a', 'b']);
    for (const nothing of [null, undefined, 'text', 42, [], {}]) expect(tappableIds(nothing)).toEqual([]);
    // Iterative: a deeply nested body does not overflow the stack.
    let deep: unknown = { buttons: [{ id: 'bottom' }] };
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(tappableIds(deep)).toEqual(['bottom']);
  });

  it('keeps duplicates, so that the send-time check can refuse them', () => {
    const twice = { elements: [{ buttons: [{ id: 'x' }] }, { buttons: [{ id: 'x' }] }] };
    expect(tappableIds(twice)).toEqual(['x', 'x']);
    expect(() => assertUniqueTappableIds(twice)).toThrow(expect.objectContaining({ code: 'invalid_message_body' }));
    expect(() => assertUniqueTappableIds(CAROUSEL)).not.toThrow();
    // URL buttons have no id, so several with the same label are fine.
    expect(() =>
      assertUniqueTappableIds({
        buttons: [
          { label: 'Open', url: 'a' },
          { label: 'Open', url: 'b' },
        ],
      }),
    ).not.toThrow();
  });
});

describe('taps on plugin message types', () => {
  let host: TestHost;
  let owner: TestUser;
  let member: TestUser;
  let room: any;

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            enable(manifest('carousel', { interactive: {} }), { settings: { command: 'carousel' } }),
            // Contributes a type but may not take taps.
            enable(manifest('carousel-mute', {}), { settings: { command: 'carousel-mute' } }),
          ],
        },
      },
    });
    [owner, member] = [await host.createUser(), await host.createUser()];
    room = await roomWith(host, owner, ['carousel', 'carousel-mute'], [member]);
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function run(plugin: string, op: string, ...args: unknown[]): Promise<any> {
    const res = await runCommand(host, owner, room.id, `/${plugin} ${op} ${JSON.stringify(args)}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return JSON.parse(res.body.reply.text);
  }
  async function send(plugin: string, content: object): Promise<any> {
    const outcome = await run(plugin, 'raw', room.id, content);
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    return outcome.value;
  }
  const tapHttp = (user: TestUser, messageId: string, buttonId: string) =>
    host.http('POST', `/v1/conversations/${room.id}/postbacks`, { token: user.token, body: { messageId, buttonId } });

  it('a tap on a nested button reaches the plugin that sent the message, and its reply the tapper', async () => {
    const message = await send('carousel', { type: 'carousel.generic', body: CAROUSEL });
    const tapper = await online(host, member);
    const result = await tapper.request({
      type: 'postback',
      conversationId: room.id,
      messageId: message.id,
      buttonId: 'buy-blue',
    });
    expect(result).toEqual({ plugin: 'carousel', reply: { text: 'You chose buy-blue' } });
    expect((await run('carousel', 'taps')).value.at(-1)).toEqual({
      conversationId: room.id,
      messageId: message.id,
      buttonId: 'buy-blue',
      userId: member.id,
    });

    const quick = await tapHttp(member, message.id, 'more');
    expect(quick.status, JSON.stringify(quick.body)).toBe(200);
    expect(quick.body).toEqual({ plugin: 'carousel', reply: { text: 'You chose more' } });
    expect((await run('carousel', 'taps')).value.at(-1)).toMatchObject({
      messageId: message.id,
      buttonId: 'more',
      userId: member.id,
    });
  });

  it('a URL button is not tappable, nor is an id that is not on the message', async () => {
    const message = await send('carousel', { type: 'carousel.generic', body: CAROUSEL });
    const before = (await run('carousel', 'taps')).value.length;
    for (const buttonId of ['Details', 'https://shop.example/red', 'Buy', 'Red shirt', 'nope']) {
      const res = await tapHttp(member, message.id, buttonId);
      expect(res.status, buttonId).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    expect((await run('carousel', 'taps')).value).toHaveLength(before);
  });

  it('refuses a message whose tappable ids repeat, at any depth, with invalid_message_body', async () => {
    const nested = {
      elements: [
        { title: 'A', buttons: [{ id: 'same', label: 'A' }] },
        { title: 'B', buttons: [{ id: 'same', label: 'B' }] },
      ],
    };
    const acrossLevels = {
      elements: [{ title: 'A', buttons: [{ id: 'more', label: 'A' }] }],
      quickReplies: [{ id: 'more', label: 'More' }],
    };
    for (const body of [nested, acrossLevels]) {
      expect(await run('carousel', 'raw', room.id, { type: 'carousel.generic', body })).toMatchObject({
        ok: false,
        code: 'invalid_message_body',
      });
    }
    // URL buttons carry no id: repeating their labels is fine.
    const links = {
      elements: [
        {
          title: 'A',
          buttons: [
            { type: 'url', url: 'https://a.example', label: 'Open' },
            { type: 'url', url: 'https://b.example', label: 'Open' },
          ],
        },
      ],
    };
    expect(await run('carousel', 'raw', room.id, { type: 'carousel.generic', body: links })).toMatchObject({
      ok: true,
    });
  });

  it('a plugin without a postback handler answers unavailable', async () => {
    const message = await send('carousel-mute', { type: 'carousel-mute.generic', body: CAROUSEL });
    const res = await tapHttp(member, message.id, 'buy-red');
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    const line = (await pluginLogs(host, 'carousel-mute')).find(
      (e) => e.message === 'registration' && e.data.what === 'onPostback',
    );
    expect(line?.data).toMatchObject({ ok: false, code: 'permission_denied', permission: 'interactive' });
  });

  it("taps on text messages, a member's or the bot's, still fail with message_not_found", async () => {
    const client = await online(host, member);
    const text = await client.sendText(room.id, 'buy-red');
    expect(
      (
        await refusal(
          client.request({
            type: 'postback',
            conversationId: room.id,
            messageId: text.message.id,
            buttonId: 'buy-red',
          }),
        )
      ).code,
    ).toBe('message_not_found');
    const botText = await send('carousel', { type: 'text', text: 'buy-red' });
    expect((await tapHttp(member, botText.id, 'buy-red')).body.error.code).toBe('message_not_found');
    expect((await tapHttp(member, randomUUID(), 'buy-red')).body.error.code).toBe('message_not_found');
  });

  it("only the owning plugin's bot may send its type", async () => {
    expect(await run('carousel-mute', 'raw', room.id, { type: 'carousel.generic', body: CAROUSEL })).toMatchObject({
      ok: false,
      code: 'forbidden',
    });
    const client = await online(host, member);
    const forged = await refusal(
      client.request({
        type: 'send',
        conversationId: room.id,
        clientMsgId: randomUUID(),
        content: { type: 'carousel.generic', body: CAROUSEL },
      }),
    );
    expect(forged.code).toBe('forbidden');
  });
});
