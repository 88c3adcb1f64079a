/**
 * The client library's forward(): through the outbox like send() (pending until stored, the same
 * clientMsgId on every attempt), the frame naming the original instead of content.
 */
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { clientRefusal, directPair, libraryClient, libraryTestHost } from './support/client-library.js';

describe('client library: forwarding', () => {
  const host = libraryTestHost();

  it('forwards a message into another conversation, pending until the host stored the copy', async () => {
    const { a, b, direct, ca, cb } = await directPair(host);
    const c = await host.createUser();
    const group = await host.createGroup(a, [c]);
    const original = await cb.client.send(direct.id, 'pass it on').sent;
    await eventually(() => ca.client.messages(direct.id).some((m) => m.id === original.id), { what: 'the original' });
    const cc = await libraryClient(host, c);

    const { clientMsgId, sent } = ca.client.forward(original, group.id);
    expect(ca.client.pending(group.id)).toMatchObject([
      { clientMsgId, content: { type: 'text', text: 'pass it on' }, forwardOf: { messageId: original.id } },
    ]);
    const copy = await sent;
    expect(copy).toMatchObject({ clientMsgId, senderId: a.id, forwarded: { at: original.createdAt } });
    expect(ca.client.pending(group.id)).toEqual([]);
    await eventually(() => cc.client.messages(group.id).find((m) => m.id === copy.id)?.forwarded, {
      what: 'the forward at the target member',
    });
    // A refusal fails the pending forward, as a refused send does.
    const stranger = await host.createGroup(b, []);
    const refused = ca.client.forward(original, stranger.id);
    expect((await clientRefusal(refused.sent)).code).toBe('conversation_not_found');
  });
});
