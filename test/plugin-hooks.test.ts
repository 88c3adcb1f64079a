/**
 * message.beforeStore hooks: plugins may let a message through, change it or refuse it before it is
 * stored. A hook that throws or runs out of time is decided by its failMode; several hooks run by
 * `order`, then plugin id; a plugin's hooks skip its own bot's messages.
 *
 * Every hook plugin here acts only on text containing its trigger word and allows everything else.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { fullHistory } from './support/e2e.js';
import { online, refusal } from './support/protocol-helpers.js';
import type { TestClient } from './support/test-client.js';
import {
  enable,
  listPlugins,
  pluginLogs,
  probeManifest,
  prober,
  readRecords,
  recordFile,
  roomWith,
  valueOf,
  type ProbeSettings,
} from './support/plugin-helpers.js';

type Hook = NonNullable<ProbeSettings['hook']>;
type Contribution = { failMode: 'open' | 'closed'; order?: number; timeoutMs?: number };

/** [plugin id, what its hook does, its manifest contribution] */
const hooks: [string, Hook, Contribution][] = [
  ['shout', { when: 'shout', action: 'append', text: '!!!' }, { failMode: 'open' }],
  ['gate', { when: 'forbidden', action: 'reject', text: 'no forbidden words here' }, { failMode: 'closed' }],
  ['throws-open', { when: 'boom-open', action: 'throw' }, { failMode: 'open' }],
  ['throws-closed', { when: 'boom-closed', action: 'throw' }, { failMode: 'closed' }],
  // Too late to count: a host that waited for them would store " (too late)".
  [
    'slow-open',
    { when: 'slow-open', action: 'slow', delayMs: 3000, text: ' (too late)' },
    { failMode: 'open', timeoutMs: 100 },
  ],
  ['nonsense', { when: 'nonsense', action: 'garbage' }, { failMode: 'open' }],
  ['meddle', { when: 'meddle', action: 'mutate' }, { failMode: 'open' }],
  ['slow-closed', { when: 'slow-closed', action: 'slow', delayMs: 3000 }, { failMode: 'closed', timeoutMs: 100 }],
  // Order: zulu (-5) first, then alpha and bravo (both 10) by id, whatever the config order.
  ['bravo', { when: 'tags', action: 'append', text: ' bravo' }, { failMode: 'open', order: 10 }],
  ['alpha', { when: 'tags', action: 'append', text: ' alpha' }, { failMode: 'open', order: 10 }],
  ['zulu', { when: 'tags', action: 'append', text: ' zulu' }, { failMode: 'open', order: -5 }],
];
const pluginIds = hooks.map(([id]) => id);
const seenByShout = recordFile('shout');
const plugins = hooks.map(([id, hook, contribution]) =>
  enable(
    probeManifest(id, {
      command: id,
      hooks: [contribution],
      permissions: { commands: {}, hooks: {}, 'messages.send': {} },
    }),
    { settings: { command: id, hook, ...(id === 'shout' ? { recordFile: seenByShout } : {}) } },
  ),
);

describe('message hooks', () => {
  let host: TestHost;
  let user: TestUser;
  let peer: TestUser;
  let room: any;
  let client: TestClient;
  let peerClient: TestClient;
  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled: plugins } } });
    [user, peer] = await Promise.all([host.createUser(), host.createUser()]);
    room = await roomWith(host, user, pluginIds, [peer]);
    [client, peerClient] = await Promise.all([online(host, user), online(host, peer)]);
  });
  afterAll(async () => {
    await host?.stop();
  });

  const text = (m: any) => m.content.text as string;
  const stored = async () =>
    (await fullHistory(host.url, user.token, room.id)).filter((m) => m.content?.type === 'text');
  const httpSend = (t: string) =>
    host.http('POST', `/v1/conversations/${room.id}/messages`, {
      token: user.token,
      body: { clientMsgId: randomUUID(), content: { type: 'text', text: t } },
    });

  it('all hook plugins run', async () => {
    const statuses = await listPlugins(host);
    expect(statuses.map((p) => [p.id, p.status]).sort()).toEqual(pluginIds.map((id) => [id, 'running']).sort());
  });

  it('lets untouched messages through as they were sent', async () => {
    const { message } = await client.sendText(room.id, 'plain words');
    expect(text(message)).toBe('plain words');
  });

  it('stores, acknowledges and delivers the content a hook changed', async () => {
    const { message } = await client.sendText(room.id, 'shout it');
    expect(text(message)).toBe('shout it!!!');
    const [pushed] = await peerClient.collect((f) => f.type === 'message.created' && f.message.id === message.id, 1);
    expect(text(pushed!.message)).toBe('shout it!!!');
    expect(text((await stored()).find((m) => m.id === message.id))).toBe('shout it!!!');
    const overHttp = await httpSend('shout over http');
    expect(overHttp.status).toBe(201);
    expect(text(overHttp.body.message)).toBe('shout over http!!!');
  });

  it('shows the hook who sends what, where, in reply to what', async () => {
    const original = (await client.sendText(room.id, 'original')).message;
    await client.request({
      type: 'send',
      conversationId: room.id,
      clientMsgId: randomUUID(),
      content: { type: 'text', text: 'a reply' },
      replyToId: original.id,
    });
    expect(readRecords(seenByShout).filter((r) => r.event === 'hook' && r.text === 'a reply')).toEqual([
      {
        plugin: 'shout',
        event: 'hook',
        senderId: user.id,
        conversationId: room.id,
        replyToId: original.id,
        text: 'a reply',
      },
    ]);
  });

  it('refuses a rejected message with message_rejected, over WebSocket and HTTP, and stores nothing', async () => {
    const before = (await stored()).length;
    expect((await refusal(client.sendText(room.id, 'a forbidden word'))).code).toBe('message_rejected');
    const overHttp = await httpSend('forbidden over http');
    expect(overHttp.status).toBe(403);
    expect(overHttp.body.error.code).toBe('message_rejected');
    const after = await stored();
    expect(after).toHaveLength(before);
    expect(after.filter((m) => text(m).includes('forbidden'))).toEqual([]);
  });

  it("gives the plugin's reason with the refusal, and leaves no gap in seq", async () => {
    const last = (await client.sendText(room.id, 'just before')).message;
    const refused = await refusal(client.sendText(room.id, 'forbidden fruit'));
    expect(refused.message).toBe('gate: no forbidden words here');
    expect((await client.sendText(room.id, 'just after')).message.seq).toBe(last.seq + 1);
  });

  it('a retry with the same clientMsgId gets the stored (changed) message back as a duplicate', async () => {
    const clientMsgId = randomUUID();
    const frame = {
      type: 'send',
      conversationId: room.id,
      clientMsgId,
      content: { type: 'text', text: 'shout twice' },
    };
    const first = await client.request(frame);
    const retry = await client.request(frame);
    expect(retry).toMatchObject({
      duplicate: true,
      message: { id: first.message.id, content: { text: 'shout twice!!!' } },
    });
  });

  it('a refused message leaves its clientMsgId unused', async () => {
    const clientMsgId = randomUUID();
    const send = (t: string) =>
      client.request({ type: 'send', conversationId: room.id, clientMsgId, content: { type: 'text', text: t } });
    expect((await refusal(send('forbidden draft'))).code).toBe('message_rejected');
    expect(await send('clean draft')).toMatchObject({
      duplicate: false,
      message: { content: { text: 'clean draft' } },
    });
  });

  it('runs hooks by order, then by plugin id, each seeing what the previous one made', async () => {
    const { message } = await client.sendText(room.id, 'tags');
    expect(text(message)).toBe('tags zulu alpha bravo');
  });

  it("skips a plugin's own hooks for its bot's messages, but runs the others'", async () => {
    const sent = valueOf(
      await prober(host, user, room.id, 'alpha')('messages.send', room.id, { type: 'text', text: 'tags from alpha' }),
    );
    expect(text(sent)).toBe('tags from alpha zulu bravo');
    const ownWord = await prober(
      host,
      user,
      room.id,
      'gate',
    )('messages.send', room.id, { type: 'text', text: 'gate says forbidden' });
    expect(ownWord.ok).toBe(true);
    const othersWord = await prober(
      host,
      user,
      room.id,
      'alpha',
    )('messages.send', room.id, { type: 'text', text: 'alpha says forbidden' });
    expect(othersWord).toMatchObject({ ok: false, code: 'message_rejected', message: 'gate: no forbidden words here' });
  });

  it('fail-open: a hook that throws lets the message through unchanged', async () => {
    const { message } = await client.sendText(room.id, 'boom-open shout');
    // The throwing hook is skipped; the others still apply.
    expect(text(message)).toBe('boom-open shout!!!');
    expect(JSON.stringify(await pluginLogs(host, 'throws-open'))).toContain('the probe hook exploded');
  });

  it('fail-open: a hook that answers with no valid decision lets the message through unchanged', async () => {
    const { message } = await client.sendText(room.id, 'nonsense shout');
    expect(text(message)).toBe('nonsense shout!!!');
  });

  it('a hook gets a copy: changing it in place changes nothing', async () => {
    const { message } = await client.sendText(room.id, 'meddle with me');
    expect(text(message)).toBe('meddle with me');
  });

  it('fail-closed: a hook that throws refuses the message', async () => {
    expect((await refusal(client.sendText(room.id, 'boom-closed'))).code).toBe('message_rejected');
    expect((await stored()).filter((m) => text(m).includes('boom-closed'))).toEqual([]);
  });

  it('fail-open: a hook that runs past its timeoutMs lets the message through unchanged', async () => {
    const { message } = await client.sendText(room.id, 'slow-open');
    expect(text(message)).toBe('slow-open');
    expect((await stored()).map((m) => m.id)).toContain(message.id);
  });

  it('fail-closed: a hook that runs past its timeoutMs refuses the message', async () => {
    expect((await refusal(client.sendText(room.id, 'slow-closed'))).code).toBe('message_rejected');
    expect((await stored()).filter((m) => text(m).includes('slow-closed'))).toEqual([]);
  });

  it('after hooks failed, messaging and every other hook keep working', async () => {
    expect((await refusal(client.sendText(room.id, 'boom-closed again'))).code).toBe('message_rejected');
    expect(text((await peerClient.sendText(room.id, 'still talking')).message)).toBe('still talking');
    expect(text((await peerClient.sendText(room.id, 'shout again')).message)).toBe('shout again!!!');
    expect((await refusal(peerClient.sendText(room.id, 'forbidden again'))).code).toBe('message_rejected');
  });
});
