/**
 * The client library across lost connections: a host restart on the same port and database
 * (1001, then refused connections until it is back), sends queued meanwhile, resume of what was
 * missed, presence subscriptions again, and sessions the host ends (4003, 4001).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { HttpApi } from '../sdk/client/index.js';
import { eventually } from './support/eventually.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import {
  clientRefusal,
  closeLibraryClients,
  libraryClient,
  messageEvents,
  portOf,
  settleClient,
} from './support/client-library.js';
import { fullHistory } from './support/e2e.js';
import { conversationOn } from './support/messaging-helpers.js';
import { openDirect } from './support/test-database.js';

const hosts: TestHost[] = [];
async function host(options: Parameters<typeof startTestHost>[0] = {}) {
  const h = await startTestHost(options);
  hosts.push(h);
  return h;
}

afterEach(async () => {
  closeLibraryClients();
  for (const h of hosts.splice(0).reverse()) await h.stop();
});

describe('client library: reconnecting', () => {
  it('a host restart: sends queued while it is down arrive once, presence is subscribed again', async () => {
    const first = await host();
    const [a, b] = await Promise.all([first.createUser(), first.createUser()]);
    const direct = await first.direct(a, b);
    const ca = await libraryClient(first, a);
    await ca.client.loadOlder(direct.id);
    const bSocket = await first.connect(b.token);
    expect(await ca.client.subscribePresence([b.id])).toEqual([{ userId: b.id, status: 'online', lastSeenAt: null }]);
    expect(ca.client.presenceOf(b.id)).toMatchObject({ status: 'online' });
    const before = await ca.client.send(direct.id, 'before the restart').sent;
    await bSocket.close();
    await eventually(() => ca.client.presenceOf(b.id)?.status === 'offline', { what: 'b offline at a' });

    // The host stops (closing with 1001); the client goes offline and keeps trying.
    const port = portOf(first.url);
    await first.stopHostOnly();
    await eventually(() => ca.client.state === 'offline', { what: 'a offline' });
    expect(ca.wire.closes[0]).toBe(1001);
    const queued = ca.client.send(direct.id, 'written while the host was down');
    expect(ca.client.pending(direct.id)).toMatchObject([{ clientMsgId: queued.clientMsgId, state: 'queued' }]);
    await eventually(() => ca.wire.closes.length >= 2, { what: 'a refused reconnect attempt' });
    // Each attempt while the port is closed fails (1006) and the client keeps trying.
    expect(new Set(ca.wire.closes.slice(1))).toEqual(new Set([1006]));

    const second = await host({ database: first.database, config: { server: { port } } });
    const sent = await queued.sent;
    expect(sent).toMatchObject({ clientMsgId: queued.clientMsgId, seq: 2 });
    expect(ca.client.state).toBe('online');
    expect(ca.events.state.flat().slice(-2)).toEqual(['offline', 'online']);

    // Presence was subscribed again on the new connection: b coming online is told.
    await second.connect(b.token);
    await eventually(() => ca.client.presenceOf(b.id)?.status === 'online', { what: 'b online again at a' });
    const resumes = ca.wire.out.filter((f) => f.type === 'resume');
    expect(resumes.at(-1)).toMatchObject({ conversations: [{ conversationId: direct.id, pts: before.pts }] });

    await settleClient(ca, direct.id);
    expect((await fullHistory(second.url, b.token, direct.id)).map((m) => m.content.text)).toEqual([
      'before the restart',
      'written while the host was down',
    ]);
    expect(ca.client.messages(direct.id).map((m) => m.seq)).toEqual([1, 2]);
    expect(messageEvents(ca, sent.id)).toHaveLength(1);
    expect(ca.wire.out.filter((f) => f.type === 'send' && f.clientMsgId === queued.clientMsgId)).toHaveLength(1);
  });

  it('reconnectNow() skips the backoff while offline, and does nothing while online', async () => {
    const first = await host();
    const a = await first.createUser();
    // A backoff far longer than the test: only reconnectNow() can bring the client back in time.
    const ca = await libraryClient(first, a, { reconnect: { initialDelayMs: 600_000, maxDelayMs: 600_000 } });
    ca.client.reconnectNow();
    expect(ca.client.state).toBe('online');
    expect(ca.events.state.flat()).toEqual(['connecting', 'online']);

    const port = portOf(first.url);
    await first.stopHostOnly();
    await eventually(() => ca.client.state === 'offline', { what: 'a offline' });
    await host({ database: first.database, config: { server: { port } } });
    ca.client.reconnectNow();
    await eventually(() => ca.client.state === 'online', { what: 'a online again without the backoff' });
    expect(ca.events.state.flat().slice(-2)).toEqual(['offline', 'online']);
  });

  it('resume after a reconnect brings exactly what was missed, in seq order, each once, edits included', async () => {
    const h = await host();
    const [a, b] = await Promise.all([h.createUser(), h.createUser()]);
    const group = await h.createGroup(b, [a]);
    const [ca, cb] = await Promise.all([libraryClient(h, a), libraryClient(h, b)]);
    await ca.client.loadOlder(group.id);
    const kept = await cb.client.send(group.id, 'seen before').sent;
    await eventually(() => messageEvents(ca, kept.id).length === 1);

    ca.client.close();
    expect(ca.client.state).toBe('idle');
    const missed: { id: string }[] = [];
    for (const text of ['missed 1', 'missed 2', 'missed 3']) missed.push(await cb.client.send(group.id, text).sent);
    await cb.client.edit(group.id, kept.id, 'seen before, edited');

    await ca.client.connect();
    await eventually(() => missed.every((m) => messageEvents(ca, m.id).length === 1), { what: 'the missed messages' });
    await eventually(() => messageEvents(ca, kept.id, 'edited').length === 1, { what: 'the missed edit' });
    await settleClient(ca, group.id);
    const seqs = ca.client.messages(group.id).map((m) => m.seq);
    expect(seqs).toEqual([...new Set(seqs)].sort((x, y) => x - y));
    expect(
      ca.client
        .messages(group.id)
        .slice(-4)
        .map((m) => (m.content as { text: string }).text),
    ).toEqual(['seen before, edited', 'missed 1', 'missed 2', 'missed 3']);
    const created = ca.events.message.filter(([e]) => e.change === 'created').map(([e]) => e.message.id);
    expect(created).toEqual([...new Set(created)]);
    expect(ca.events.resync).toEqual([]);
    // The group's creation, 'seen before' and the three missed: as the host counts them.
    expect((await conversationOn(h, group.id, a)).unreadCount).toBe(5);
    expect(ca.client.conversation(group.id)!.unreadCount).toBe(5);
  });

  it('a send whose answer was lost is sent again with its clientMsgId and resolves with the stored message', async () => {
    const h = await host();
    const [a, b] = await Promise.all([h.createUser(), h.createUser()]);
    const direct = await h.direct(a, b);
    const ca = await libraryClient(h, a, { connect: false });
    const { clientMsgId, sent } = ca.client.send(direct.id, 'sent twice, stored once');
    // The first attempt reached the host and its answer was lost: another connection of a's stored it.
    const other = await h.connect(a.token);
    const stored = (await other.sendText(direct.id, 'sent twice, stored once', clientMsgId)).message;

    await ca.client.connect();
    expect(await sent).toEqual(stored);
    expect(ca.wire.in.find((f) => f.type === 'result' && f.data?.message?.id === stored.id)?.data.duplicate).toBe(true);
    expect(await fullHistory(h.url, b.token, direct.id)).toHaveLength(1);
  });

  it('a revoked token ends the session (4003): state ended, no reconnect, connect() refused until a new token', async () => {
    const h = await host();
    const a = await h.createUser();
    const login = await new HttpApi({ baseUrl: h.url }).login(a.handle, a.password);
    const ca = await libraryClient(h, login);
    const revoked = await h.http('DELETE', `/v1/admin/tokens/${login.tokenId}`, { token: 'admin' });
    expect(revoked.status).toBe(204);
    await eventually(() => ca.client.state === 'ended', { what: 'the session to end' });
    expect(ca.wire.closes).toEqual([4003]);
    expect(ca.events.error.map(([e]) => e.code)).toEqual(['session_ended']);

    expect(await clientRefusal(ca.client.connect())).toMatchObject({ code: 'unauthenticated', closeCode: 4001 });
    expect(ca.client.state).toBe('ended');

    ca.client.setToken((await ca.client.http.login(a.handle, a.password)).token);
    await ca.client.connect();
    expect(ca.client.state).toBe('online');
  });

  it('a token refused at connect rejects connect() with unauthenticated and stays ended', async () => {
    const h = await host();
    const ca = await libraryClient(h, { token: 'sb_not-a-token' }, { connect: false });
    expect(await clientRefusal(ca.client.connect())).toMatchObject({ code: 'unauthenticated', closeCode: 4001 });
    expect(ca.events.state.flat()).toEqual(['connecting', 'ended']);
    expect(ca.wire.closes).toEqual([4001]);
  });

  it('a deactivated account ends the session as account_deactivated, not session_ended (both close with 4003)', async () => {
    const first = await host();
    const a = await first.createUser();
    // A live token of a deactivated account (a host stopped between marking the account and
    // revoking its tokens): the host names the reason in the close, as for every shared close code.
    await first.stopHostOnly();
    const db = openDirect(first.database);
    try {
      await db('users').where({ id: a.id }).update({ deactivated_at: Date.now() });
    } finally {
      await db.destroy();
    }
    const h = await host({ database: first.database });
    const ca = await libraryClient(h, a, { connect: false });
    expect(await clientRefusal(ca.client.connect())).toMatchObject({ code: 'account_deactivated', closeCode: 4003 });
    expect(ca.events.state.flat()).toEqual(['connecting', 'ended']);
    expect(ca.events.error.map(([e]) => e.code)).toEqual(['account_deactivated']);
    expect(ca.wire.closes).toEqual([4003]);
  });
});
