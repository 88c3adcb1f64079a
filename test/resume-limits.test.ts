/**
 * Resume at its limits: a resume frame may list up to 1,000 conversations, and with the default
 * frame size (websocket.maxPayloadBytes, 128 KiB) such a frame always fits, however long its ids
 * and positions. On a host with smaller frames, the client library lists only what one frame
 * holds (the most active conversations); the others start over, and the connection stays up.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { closeLibraryClients, libraryClient } from './support/client-library.js';
import { eventually } from './support/eventually.js';

const hosts: TestHost[] = [];
afterEach(async () => {
  closeLibraryClients();
  for (const h of hosts.splice(0)) await h.stop();
});

describe('resume at its limits', () => {
  it('takes a resume of 1,000 conversations with the longest ids and positions, in the default frame size', async () => {
    const host = await startTestHost();
    hosts.push(host);
    const user = await host.createUser();
    const client = await host.connect(user.token);
    // Made-up ids of the longest length allowed (64), at the highest pts: each answers not_found.
    const conversations = Array.from({ length: 1000 }, (_, i) => ({
      conversationId: `${i}`.padStart(64, 'c'),
      pts: Number.MAX_SAFE_INTEGER,
    }));
    expect(JSON.stringify({ type: 'resume', id: randomUUID(), conversations }).length).toBeGreaterThan(64 * 1024);
    const result = await client.request<any>({ type: 'resume', id: randomUUID(), conversations });
    expect(result.conversations).toHaveLength(1000);
    expect(new Set(result.conversations.map((c: any) => c.status))).toEqual(new Set(['not_found']));
    // The connection is still up.
    const ping = randomUUID();
    const pong = client.waitFor((f) => f.type === 'pong' && f.replyTo === ping);
    client.sendRaw({ type: 'ping', id: ping });
    await pong;
  });

  it('lists in the client library only what one frame holds, the most active first, on a host with small frames', async () => {
    const host = await startTestHost({ config: { websocket: { maxPayloadBytes: 1024 } } });
    hosts.push(host);
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const groups = [];
    for (let i = 0; i < 20; i++) groups.push(await host.createGroup(b, [a], `group ${i}`));
    const writer = await host.connect(b.token);
    // Written in order, each in a millisecond of its own (activity is a message's time, and two
    // in the same millisecond are in no order): the last group is the most active.
    for (const group of groups) {
      const { message } = await writer.sendText(group.id, `hello in ${group.title}`);
      await eventually(() => Date.now() > Date.parse(message.createdAt), { what: 'the next millisecond' });
    }
    const ca = await libraryClient(host, a);
    await ca.client.refreshConversations();
    for (const group of groups) await ca.client.loadOlder(group.id);

    ca.client.close();
    await ca.client.connect();
    const resume = ca.wire.out.filter((f) => f.type === 'resume').at(-1);
    const listed = resume.conversations.map((c: { conversationId: string }) => c.conversationId);
    expect(Buffer.byteLength(JSON.stringify(resume))).toBeLessThanOrEqual(1024);
    // As many as fit (each entry is about 70 bytes), the most active first.
    expect(listed.length).toBeGreaterThanOrEqual(10);
    expect(listed).toEqual(
      groups
        .slice(-listed.length)
        .reverse()
        .map((g) => g.id),
    );
    expect(ca.wire.closes).not.toContain(1009);
    expect(ca.client.state).toBe('online');
    // Live messages reach it on the new connection, in a listed conversation and one left out.
    await writer.sendText(groups[0]!.id, 'still here');
    await writer.sendText(groups.at(-1)!.id, 'and here');
    await eventually(
      () =>
        ca.wire.in.some((f) => f.type === 'message.created' && f.message.content.text === 'still here') &&
        ca.wire.in.some((f) => f.type === 'message.created' && f.message.content.text === 'and here'),
      { what: 'both messages on the new connection' },
    );
  });
});
