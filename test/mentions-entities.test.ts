/**
 * Mentions: `@handle` of a member becomes a mention entity (offsets in UTF-16 units), anything else
 * stays text; `@all` in a group is for owners and admins unless the group (or the host) lets
 * members; an edit is parsed again; the entities are stored, so history and the listing show them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online, refusal } from './support/protocol-helpers.js';
import { conversationOn, historyOf, op } from './support/messaging-helpers.js';

describe('mentions', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  /** A group of an owner, an admin and a plain member, with handles a test can write. */
  async function group() {
    const tag = randomUUID().slice(0, 8);
    const [owner, admin, member, outsider] = await Promise.all(
      ['own', 'adm', 'mem', 'out'].map((who) => host.createUser({ handle: `${who}_${tag}` })),
    );
    const conv = await host.createGroup(owner!, [admin!, member!]);
    const res = await host.http('PATCH', `/v1/conversations/${conv.id}/members/${admin!.id}`, {
      token: owner!.token,
      body: { role: 'admin' },
    });
    expect(res.status).toBe(200);
    const [co, ca, cm] = await Promise.all([owner!, admin!, member!].map((u) => online(host, u)));
    return { owner: owner!, admin: admin!, member: member!, outsider: outsider!, conv, co: co!, ca: ca!, cm: cm! };
  }

  const mention = (user: TestUser, text: string, token: string) => ({
    type: 'mention',
    offset: text.indexOf(token),
    length: token.length,
    userId: user.id,
  });

  it('turns @handle of members into mention entities with UTF-16 offsets, and leaves the rest as text', async () => {
    const { owner, admin, outsider, conv, cm } = await group();
    // An emoji (two UTF-16 units) before the first mention, a handle in other case with a full stop
    // after it, an address, an unknown handle and a user who is not a member.
    const text = `😀 @${owner.handle} see ann@${admin.handle}.com, @nobody_here @${outsider.handle} and @${admin.handle.toUpperCase()}.`;
    const { message } = await cm.sendText(conv.id, text);
    expect(message.entities).toEqual([
      mention(owner, text, `@${owner.handle}`),
      mention(admin, text, `@${admin.handle.toUpperCase()}`),
    ]);
    expect(message.entities[0].offset).toBe(3);
    expect(text.slice(message.entities[1].offset, message.entities[1].offset + message.entities[1].length)).toBe(
      `@${admin.handle.toUpperCase()}`,
    );
    // Stored: history and the listing's last message carry them too.
    const stored = (await historyOf(cm, conv.id)).find((m) => m.id === message.id);
    expect(stored.entities).toEqual(message.entities);
    expect((await conversationOn(host, conv.id, owner)).lastMessage.entities).toEqual(message.entities);
    // A text without '@' has none; nor has a structured message.
    expect((await cm.sendText(conv.id, 'plain text')).message.entities).toEqual([]);
  });

  it('reads a mention closing italic or bold (`_thanks @ada_`) as @ada, and a handle ending in _ whole', async () => {
    const { owner, admin, conv, cm } = await group();
    const text = `_thanks @${owner.handle}_ and *@${admin.handle}*`;
    const { message } = await cm.sendText(conv.id, text);
    expect(message.entities).toEqual([
      mention(owner, text, `@${owner.handle}`),
      mention(admin, text, `@${admin.handle}`),
    ]);
    // Someone whose handle does end in an underscore is still named whole.
    const under = await host.createUser({ handle: `und_${randomUUID().slice(0, 8)}_` });
    await host.http('POST', `/v1/conversations/${conv.id}/members`, {
      token: owner.token,
      body: { userIds: [under.id] },
    });
    const again = `hi @${under.handle}`;
    expect((await cm.sendText(conv.id, again)).message.entities).toEqual([mention(under, again, `@${under.handle}`)]);
  });

  it('refuses @all from a plain member (403 mention_all_not_allowed, nothing stored) and takes it from owners and admins', async () => {
    const { owner, member, conv, co, ca, cm } = await group();
    const before = await conversationOn(host, conv.id, owner);
    const refused = await refusal(cm.sendText(conv.id, 'hey @all'));
    expect(refused.code).toBe('mention_all_not_allowed');
    const overHttp = await host.http('POST', `/v1/conversations/${conv.id}/messages`, {
      token: member.token,
      body: { clientMsgId: randomUUID(), content: { type: 'text', text: '@all lunch?' } },
    });
    expect(overHttp.status).toBe(403);
    expect(overHttp.body.error.code).toBe('mention_all_not_allowed');
    expect((await conversationOn(host, conv.id, owner)).lastSeq).toBe(before.lastSeq);
    // "@allison" is not @all.
    expect((await cm.sendText(conv.id, 'ask @allison')).message.entities).toEqual([]);

    for (const c of [co, ca]) {
      const { message } = await c.sendText(conv.id, 'Everyone, @all: standup');
      expect(message.entities).toEqual([{ type: 'mention_all', offset: 'Everyone, '.length, length: 4 }]);
    }
  });

  it('lets a group allow @all for members, and goes back to the host default with null', async () => {
    const { owner, member, conv, cm } = await group();
    const byMember = await host.http('PUT', `/v1/conversations/${conv.id}/mention-all`, {
      token: member.token,
      body: { membersMayMentionAll: true },
    });
    expect(byMember.status).toBe(403);
    expect(byMember.body.error.code).toBe('insufficient_role');

    const allowed = await host.http('PUT', `/v1/conversations/${conv.id}/mention-all`, {
      token: owner.token,
      body: { membersMayMentionAll: true },
    });
    expect(allowed.status).toBe(200);
    expect(allowed.body.membersMayMentionAll).toBe(true);
    expect((await cm.sendText(conv.id, '@all hi')).message.entities).toEqual([
      { type: 'mention_all', offset: 0, length: 4 },
    ]);

    await host.http('PUT', `/v1/conversations/${conv.id}/mention-all`, {
      token: owner.token,
      body: { membersMayMentionAll: null },
    });
    expect((await conversationOn(host, conv.id, member)).membersMayMentionAll).toBe(false);
    expect((await refusal(cm.sendText(conv.id, '@all again'))).code).toBe('mention_all_not_allowed');
  });

  it('in a direct conversation @all is not everyone: it stays text', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const ca = await online(host, a);
    expect((await ca.sendText(conv.id, 'hey @all')).message.entities).toEqual([]);
    expect(conv.membersMayMentionAll).toBe(false);
  });

  it('parses an edit again: mentions follow the new text, and a member cannot edit @all in', async () => {
    const { owner, admin, conv, cm } = await group();
    const first = `hi @${owner.handle}`;
    const { message } = await cm.sendText(conv.id, first);
    expect(message.entities).toEqual([mention(owner, first, `@${owner.handle}`)]);

    const second = `sorry, I meant 👋 @${admin.handle}`;
    const edited = await op(cm, 'edit', conv.id, message.id, { content: { type: 'text', text: second } });
    expect(edited.message.entities).toEqual([mention(admin, second, `@${admin.handle}`)]);
    const stored = (await historyOf(cm, conv.id)).find((m) => m.id === message.id);
    expect(stored.entities).toEqual(edited.message.entities);

    const refused = await refusal(op(cm, 'edit', conv.id, message.id, { content: { type: 'text', text: '@all' } }));
    expect(refused.code).toBe('mention_all_not_allowed');
    expect((await historyOf(cm, conv.id)).find((m) => m.id === message.id).content.text).toBe(second);

    const deleted = await op(cm, 'delete', conv.id, message.id);
    expect(deleted.message.entities).toEqual([]);
  });
});

describe('mentions with mentions.allowAllForMembers', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ config: { mentions: { allowAllForMembers: true } } });
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('lets plain members mention everyone unless their group says no', async () => {
    const [owner, member] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.createGroup(owner, [member]);
    expect(conv.membersMayMentionAll).toBe(true);
    const cm = await online(host, member);
    expect((await cm.sendText(conv.id, '@all')).message.entities).toEqual([
      { type: 'mention_all', offset: 0, length: 4 },
    ]);
    const res = await host.http('PUT', `/v1/conversations/${conv.id}/mention-all`, {
      token: owner.token,
      body: { membersMayMentionAll: false },
    });
    expect(res.body.membersMayMentionAll).toBe(false);
    expect((await refusal(cm.sendText(conv.id, '@all'))).code).toBe('mention_all_not_allowed');
  });
});
