/**
 * Counts and mute on the host: unreadCount leaves thread replies out, mentionCount counts messages
 * after my watermark that mention me or everyone (thread replies included, deleted ones and mine
 * not); a read on one of my sockets reaches my others and clears both counts; mute lasts until a
 * time (the host's clock moves) or forever, reaches my other sockets, and counts go on meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { online } from './support/protocol-helpers.js';
import { conversationOn, op, send } from './support/messaging-helpers.js';
import { eventually } from './support/eventually.js';

describe('unread and mention counts, and mute', () => {
  let host: TestHost;
  /** How far the host's clock is ahead of the wall clock. */
  let ahead = 0;
  beforeAll(async () => {
    host = await startTestHost({ clock: { now: () => Date.now() + ahead } });
  });
  afterAll(async () => {
    await host?.stop();
  });

  async function trio() {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const conv = await host.createGroup(a, [b, c]);
    await host.http('PUT', `/v1/conversations/${conv.id}/mention-all`, {
      token: a.token,
      body: { membersMayMentionAll: true },
    });
    const [phone, laptop, cb, cc] = await Promise.all([a, a, b, c].map((u) => online(host, u)));
    return { a, b, c, conv, phone: phone!, laptop: laptop!, cb: cb!, cc: cc! };
  }

  it('counts mentions of me and of everyone, leaves thread replies out of unread, and a read on one socket clears both on the others', async () => {
    const { a, b, conv, phone, laptop, cb, cc } = await trio();
    const start = await conversationOn(host, conv.id, a);
    expect(start).toMatchObject({ mentionCount: 0, mutedUntil: null });

    await cb.sendText(conv.id, `hi @${a.handle}`); // b mentions a
    const all = (await cc.sendText(conv.id, 'lunch, @all?')).message;
    const root = (await cc.sendText(conv.id, `not for a, @${b.handle}`)).message;
    const threadMention = (
      await send(cc, conv.id, { type: 'text', text: `@${a.handle} see this` }, { threadRootId: root.id })
    ).message;
    await send(cb, conv.id, { type: 'text', text: 'plain reply' }, { threadRootId: root.id });
    await phone.sendText(conv.id, `note to self @${a.handle}`);
    let seen = await conversationOn(host, conv.id, a);
    // Main timeline from others: hi, lunch, root (thread replies and my own message left out).
    expect(seen).toMatchObject({ unreadCount: 3, mentionCount: 3 });

    await op(cc, 'delete', conv.id, all.id);
    seen = await conversationOn(host, conv.id, a);
    expect(seen).toMatchObject({ unreadCount: 2, mentionCount: 2 });

    // Reading on the phone up to the thread mention: the laptop hears it and the counts follow.
    await phone.request({ type: 'read', conversationId: conv.id, seq: threadMention.seq });
    const receipt = await laptop.next((f) => f.type === 'receipt' && f.userId === a.id);
    expect(receipt).toEqual({ type: 'receipt', conversationId: conv.id, userId: a.id, seq: threadMention.seq });
    expect(await conversationOn(host, conv.id, a)).toMatchObject({
      unreadCount: 0,
      mentionCount: 0,
      myReadSeq: threadMention.seq,
    });
    // b's count is its own: the mention of b is still after b's watermark.
    expect(await conversationOn(host, conv.id, b)).toMatchObject({ mentionCount: 1 });
  });

  it('mutes until a time, forever, or not at all; tells my other sockets; counts go on while muted', async () => {
    const { a, conv, phone, laptop, cb } = await trio();
    const mute = (until: unknown) =>
      host.http('PUT', `/v1/conversations/${conv.id}/mute`, { token: a.token, body: { until } });

    const inAnHour = new Date(Date.now() + ahead + 3_600_000).toISOString();
    const muted = await mute(inAnHour);
    expect(muted.status).toBe(200);
    expect(muted.body).toMatchObject({ id: conv.id, mutedUntil: inAnHour });
    for (const socket of [phone, laptop]) {
      expect(await socket.next('conversation.mute')).toEqual({
        type: 'conversation.mute',
        conversationId: conv.id,
        mutedUntil: inAnHour,
      });
    }
    await cb.sendText(conv.id, `@${a.handle} while you were muted`);
    expect(await conversationOn(host, conv.id, a)).toMatchObject({
      mutedUntil: inAnHour,
      unreadCount: 1,
      mentionCount: 1,
    });

    // Two hours later the mute has run out by itself.
    ahead += 2 * 3_600_000;
    expect((await conversationOn(host, conv.id, a)).mutedUntil).toBeNull();

    const forever = await mute('forever');
    expect(forever.body.mutedUntil).toBe('9999-12-31T23:59:59.999Z');
    ahead += 24 * 3_600_000; // a day on, forever still holds
    const list = await host.http('GET', '/v1/conversations', { token: a.token });
    expect(list.body.conversations.find((c: any) => c.id === conv.id).mutedUntil).toBe('9999-12-31T23:59:59.999Z');

    const unmuted = await mute(null);
    expect(unmuted.body.mutedUntil).toBeNull();
    await eventually(() => laptop.ofType('conversation.mute').at(-1)?.mutedUntil === null, {
      what: 'the unmute frame',
    });
    // A time already past unmutes too.
    expect((await mute('2001-01-01T00:00:00Z')).body.mutedUntil).toBeNull();

    for (const bad of ['tomorrow', '', 12, '+275760-09-13T00:00:00Z']) {
      const res = await mute(bad);
      expect([bad, res.status, res.body.error.code]).toEqual([bad, 400, 'invalid_request']);
    }
    const outsider = await host.createUser();
    const stranger = await host.http('PUT', `/v1/conversations/${conv.id}/mute`, {
      token: outsider.token,
      body: { until: 'forever' },
    });
    expect(stranger.status).toBe(404);
    // Muting is mine alone: the others' view does not change.
    expect((await conversationOn(host, conv.id, a)).mutedUntil).toBeNull();
  });
});
