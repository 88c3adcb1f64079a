/**
 * Blocking a person (docs/protocol.md, "Blocking people"): while either of two people blocks the
 * other, every send in their direct conversation is refused with `blocked`, by whichever path the
 * writer takes (the short path of plain sends, or its transaction); nothing stored is lost, and
 * unblocking lets sends through again. The block is kept in user_blocks and carried as a flag on
 * the direct conversation's row, read with its lock. Groups keep everyone; the blocker only stops
 * counting the other's mentions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { online, refusal } from './support/protocol-helpers.js';
import { conversationOn, historyOf, pairOn, send } from './support/messaging-helpers.js';
import { openDirect } from './support/test-database.js';
import { METRICS_TOKEN, sample, scrape } from './support/metrics-helpers.js';
import { RequestError, type TestClient } from './support/test-client.js';

const onPostgres = Boolean(process.env.DATABASE_URL);

describe('blocking a person', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ config: { metrics: { token: METRICS_TOKEN } } });
  });
  afterAll(async () => {
    await host?.stop();
  });

  const block = (by: TestUser, who: string) => host.http('PUT', `/v1/me/blocks/${who}`, { token: by.token });
  const unblock = (by: TestUser, who: string) => host.http('DELETE', `/v1/me/blocks/${who}`, { token: by.token });
  const text = (c: TestClient, conversationId: string, words: string) =>
    send(c, conversationId, { type: 'text', text: words });
  /**
   * The row's flag, read behind the host's back: on PostgreSQL only (the host holds its SQLite file
   * exclusively); the refusals show it on both.
   */
  const expectFlag = async (conversationId: string, blocked: boolean) => {
    if (!onPostgres) return;
    const db = openDirect(host.database);
    try {
      const row = await db('conversations').where({ id: conversationId }).first<{ blocked: unknown }>('blocked');
      expect(row?.blocked).toBe(blocked);
    } finally {
      await db.destroy();
    }
  };

  it('refuses sends both ways while one blocks the other, keeps what was stored, and unblocking lets them through', async () => {
    const { a, b, conv, ca, cb } = await pairOn(host);
    const before = await text(ca, conv.id, 'see you at 8');

    const blocked = await block(a, b.id);
    expect(blocked.status, JSON.stringify(blocked.body)).toBe(200);
    expect(blocked.body).toEqual({ userId: b.id, blockedAt: expect.any(String) });
    await expectFlag(conv.id, true);

    // A plain send (the short path) and a reply (the writer's transaction), from each side.
    const mine = await refusal(text(ca, conv.id, 'one more thing'));
    expect(mine).toMatchObject({ code: 'blocked', message: expect.stringMatching(/you blocked.*unblock/i) });
    const reply = await refusal(send(ca, conv.id, { type: 'text', text: 'and' }, { replyToId: before.message.id }));
    expect(reply).toMatchObject({ code: 'blocked', message: mine.message });
    const theirs = await refusal(text(cb, conv.id, 'hello?'));
    expect(theirs).toMatchObject({ code: 'blocked' });
    // The one blocked is not told who did it.
    expect(theirs.message).not.toMatch(/block/i);
    const theirReply = await refusal(send(cb, conv.id, { type: 'text', text: '?' }, { replyToId: before.message.id }));
    expect(theirReply).toMatchObject({ code: 'blocked', message: theirs.message });
    const overHttp = await host.http('POST', `/v1/conversations/${conv.id}/messages`, {
      token: b.token,
      body: { clientMsgId: randomUUID(), content: { type: 'text', text: 'over http' } },
    });
    expect(overHttp.status).toBe(403);
    expect(overHttp.body.error.code).toBe('blocked');
    expect((await historyOf(cb, conv.id)).map((m) => m.id)).toEqual([before.message.id]);

    const unblocked = await unblock(a, b.id);
    expect(unblocked.status).toBe(204);
    await expectFlag(conv.id, false);
    const after = [await text(ca, conv.id, 'sorry'), await text(cb, conv.id, 'fine')];
    expect(after.map((s) => s.message.seq)).toEqual([before.message.seq + 1, before.message.seq + 2]);
  });

  it('leaves the sends of an open direct conversation on the short path (one statement each)', async () => {
    const { a, b, conv, ca, cb } = await pairOn(host);
    const committed = async () => {
      const s = await scrape(host);
      return {
        statement: sample(s, 'switchboard_sends_committed_total', { path: 'statement' }) ?? 0,
        transaction: sample(s, 'switchboard_sends_committed_total', { path: 'transaction' }) ?? 0,
      };
    };
    const before = await committed();
    await text(ca, conv.id, 'one');
    await text(cb, conv.id, 'two');
    expect((await block(b, a.id)).status).toBe(200);
    await refusal(text(ca, conv.id, 'refused'));
    expect((await unblock(b, a.id)).status).toBe(204);
    await text(ca, conv.id, 'three');
    const after = await committed();
    expect({
      statement: after.statement - before.statement,
      transaction: after.transaction - before.transaction,
    }).toEqual({ statement: 3, transaction: 0 });
  });

  it('stays closed while either still blocks the other', async () => {
    const { a, b, conv, ca, cb } = await pairOn(host);
    expect((await block(a, b.id)).status).toBe(200);
    expect((await block(b, a.id)).status).toBe(200);
    expect((await unblock(a, b.id)).status).toBe(204);
    await expectFlag(conv.id, true);
    // b blocks a: now b is the one told to unblock.
    expect(await refusal(text(cb, conv.id, 'hi'))).toMatchObject({ code: 'blocked', message: /unblock/i });
    expect((await refusal(text(ca, conv.id, 'hi'))).message).not.toMatch(/block/i);
    expect((await unblock(b, a.id)).status).toBe(204);
    await text(ca, conv.id, 'open again');
  });

  it('answers a resend of a message stored before the block as a duplicate', async () => {
    const { a, b, conv, ca } = await pairOn(host);
    const frame = {
      type: 'send',
      conversationId: conv.id,
      clientMsgId: randomUUID(),
      content: { type: 'text', text: 'hi' },
    };
    const first = await ca.request<{ message: any; duplicate: boolean }>(frame);
    expect((await block(b, a.id)).status).toBe(200);
    const again = await ca.request<{ message: any; duplicate: boolean }>(frame);
    expect(again).toMatchObject({ duplicate: true, message: { id: first.message.id } });
  });

  it('closes a direct conversation created after the block from its start', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    expect((await block(b, a.id)).status).toBe(200);
    const conv = await host.direct(a, b);
    await expectFlag(conv.id, true);
    const [ca, cb] = await Promise.all([online(host, a), online(host, b)]);
    expect(await refusal(text(ca, conv.id, 'hello'))).toMatchObject({ code: 'blocked' });
    expect(await refusal(text(cb, conv.id, 'hello'))).toMatchObject({ code: 'blocked', message: /unblock/i });
    expect((await unblock(b, a.id)).status).toBe(204);
    await text(ca, conv.id, 'hello');
  });

  it('keeps the flag right with sends in flight: none gets through once the block answers', async () => {
    const { a, b, conv, ca, cb } = await pairOn(host);
    for (let round = 0; round < 3; round++) {
      const sends = Array.from({ length: 30 }, (_, i) =>
        text(i % 2 ? ca : cb, conv.id, `${round}.${i}`).then(
          (r) => r.message.seq as number,
          (e: unknown) => (e instanceof RequestError ? e.error.code : 'failed'),
        ),
      );
      const blocked = block(a, b.id);
      const outcomes = await Promise.all([...sends, blocked]);
      expect((outcomes.at(-1) as { status: number }).status).toBe(200);
      await expectFlag(conv.id, true);
      expect(await refusal(text(cb, conv.id, 'after the block'))).toMatchObject({ code: 'blocked' });
      // Those stored are numbered without gaps; the others were refused for the block alone.
      const seqs = outcomes.slice(0, -1).filter((o): o is number => typeof o === 'number');
      expect(outcomes.slice(0, -1).filter((o) => typeof o !== 'number')).toEqual(
        Array<string>(30 - seqs.length).fill('blocked'),
      );
      const sorted = [...seqs].sort((x, y) => x - y);
      expect(sorted).toEqual(sorted.map((_, i) => sorted[0]! + i));

      const resends = Array.from({ length: 20 }, (_, i) =>
        text(i % 2 ? ca : cb, conv.id, `${round}.again ${i}`).then(
          () => 'sent',
          (e: unknown) => (e instanceof RequestError ? e.error.code : 'failed'),
        ),
      );
      const [unblocked, ...again] = await Promise.all([unblock(a, b.id), ...resends]);
      expect(unblocked.status).toBe(204);
      // Before the unblock they are refused, after it sent: nothing else.
      expect(again.filter((o) => o !== 'sent' && o !== 'blocked')).toEqual([]);
      await expectFlag(conv.id, false);
      await text(cb, conv.id, 'after the unblock');
    }
  });

  it('lists whom I block, newest first; blocking again keeps the first time', async () => {
    const [me, x, y] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const empty = await host.http('GET', '/v1/me/blocks', { token: me.token });
    expect(empty).toMatchObject({ status: 200, body: { blocks: [] } });
    const first = (await block(me, x.id)).body;
    const second = (await block(me, y.id)).body;
    expect((await block(me, x.id)).body).toEqual(first);
    const listed = (await host.http('GET', '/v1/me/blocks', { token: me.token })).body.blocks as (typeof first)[];
    expect(listed).toHaveLength(2);
    expect(listed).toEqual(expect.arrayContaining([first, second]));
    expect(listed.map((l) => l.blockedAt)).toEqual(
      listed
        .map((l) => l.blockedAt)
        .sort()
        .reverse(),
    );
    // Lists are one's own.
    expect((await host.http('GET', '/v1/me/blocks', { token: x.token })).body).toEqual({
      blocks: [],
      nextCursor: null,
    });
    await unblock(me, x.id);
    await unblock(me, x.id);
    expect((await host.http('GET', '/v1/me/blocks', { token: me.token })).body.blocks).toEqual([
      { userId: y.id, blockedAt: expect.any(String) },
    ]);
  });

  it('refuses blocking oneself, an unknown user or a malformed id with catalog errors', async () => {
    const me = await host.createUser();
    const self = await block(me, me.id);
    expect(self.status).toBe(400);
    expect(self.body.error.code).toBe('invalid_operation');
    for (const call of [block, unblock]) {
      const unknown = await call(me, randomUUID());
      expect(unknown.status).toBe(404);
      expect(unknown.body.error.code).toBe('user_not_found');
    }
    const malformed = await block(me, 'x'.repeat(65));
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_request');
    expect((await host.http('PUT', `/v1/me/blocks/${me.id}`)).status).toBe(401);
  });

  it('tells my other devices, and not the one blocked', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    await host.direct(a, b);
    const [phone, cb] = await Promise.all([online(host, a), online(host, b)]);
    const told = phone.waitFor((f) => f.type === 'user.block' && f.userId === b.id && f.blockedAt !== null);
    await block(a, b.id);
    expect(await told).toEqual({ type: 'user.block', userId: b.id, blockedAt: expect.any(String) });
    const untold = phone.waitFor((f) => f.type === 'user.block' && f.userId === b.id && f.blockedAt === null);
    await unblock(a, b.id);
    await untold;
    expect(cb.frames.filter((f) => f.type === 'user.block')).toEqual([]);
  });

  it('in a group, keeps everyone in but does not count a mention from someone I block', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    // b owns the group, so may mention everyone.
    const group = await host.createGroup(b, [a, c]);
    const [cb, cc] = await Promise.all([online(host, b), online(host, c)]);
    expect((await block(a, b.id)).status).toBe(200);
    const counts = async () => {
      const seen = await conversationOn(host, group.id, a);
      return { unread: seen.unreadCount as number, mentions: seen.mentionCount as number };
    };
    const start = await counts();
    const fromB = await text(cb, group.id, `@${a.handle} look at this`);
    expect(fromB.message.entities).toEqual([expect.objectContaining({ type: 'mention', userId: a.id })]);
    expect(await counts()).toEqual({ unread: start.unread + 1, mentions: start.mentions });
    await text(cc, group.id, `@${a.handle} and this`);
    expect(await counts()).toEqual({ unread: start.unread + 2, mentions: start.mentions + 1 });
    // c, who blocks nobody, counts b's mention of everyone.
    await text(cb, group.id, '@all meeting moved');
    const ofC = await conversationOn(host, group.id, c);
    expect(ofC.mentionCount).toBe(1);
    expect(await counts()).toMatchObject({ mentions: start.mentions + 1 });
    await unblock(a, b.id);
    expect(await counts()).toMatchObject({ mentions: start.mentions + 3 });
  });
});
