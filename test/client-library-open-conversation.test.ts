/**
 * The client library and conversations its cache does not know yet, such as a direct chat just
 * opened with `client.http.direct()`: the first message sent there shows in the cache the moment
 * it leaves the outbox, and `mute()` answers with the conversation's view. Also in a cached
 * conversation, when the answer to a send comes before its echo: at every 'pending' event, a
 * message that left the outbox is already in the cached messages.
 */
import { describe, expect, it } from 'vitest';
import type { SwitchboardClient } from '../sdk/client/index.js';
import { directPair, libraryClient, libraryTestHost } from './support/client-library.js';

/**
 * Node's WebSocket, handing the client message frames only after the next `result` has been
 * handled (the promises it settles included, hence the macrotask): the answer to a send then
 * always comes before its echo, an order the host may also use.
 */
function answerFirstWebSocket(): typeof WebSocket {
  return class AnswerFirstWebSocket extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      let handler: ((event: MessageEvent) => void) | null = null;
      const held: MessageEvent[] = [];
      // The library sets onmessage; this one takes the handler, and the listener below feeds it.
      Object.defineProperty(this, 'onmessage', {
        get: () => handler,
        set: (h: ((event: MessageEvent) => void) | null) => (handler = h),
      });
      this.addEventListener('message', (event) => {
        const type = (JSON.parse(String(event.data)) as { type: string }).type;
        if (type.startsWith('message.')) return void held.push(event);
        handler?.(event);
        if (type === 'result') setImmediate(() => held.splice(0).forEach((h) => handler?.(h)));
      });
    }
  };
}

/** Message ids (by clientMsgId) that left the outbox while the cache did not show them. */
function watchOutbox(client: SwitchboardClient, conversationId: string): string[] {
  const unseen: string[] = [];
  let pending = new Set<string>();
  client.on('pending', (id, now) => {
    if (id !== conversationId) return;
    const shown = new Set(client.messages(conversationId).map((m) => m.clientMsgId));
    for (const clientMsgId of pending) {
      if (!now.some((p) => p.clientMsgId === clientMsgId) && !shown.has(clientMsgId)) unseen.push(clientMsgId);
    }
    pending = new Set(now.map((p) => p.clientMsgId));
  });
  return unseen;
}

describe('client library: conversations opened over HTTP, and the outbox meeting the cache', () => {
  const host = libraryTestHost();

  it('a message that leaves the outbox is in the cached messages, also when its answer comes before its echo', async () => {
    const { direct, ca } = await directPair(host);
    const cb = await libraryClient(host, { token: ca.client.http.token! }, { WebSocket: answerFirstWebSocket() });
    await cb.client.loadOlder(direct.id);
    const unseen = watchOutbox(cb.client, direct.id);
    const sent = await Promise.all(['one', 'two', 'three'].map((t) => cb.client.send(direct.id, t).sent));
    expect(unseen).toEqual([]);
    expect(cb.client.messages(direct.id).map((m) => m.id)).toEqual(sent.map((m) => m.id));
  });

  it('the first message into a direct chat just opened with http.direct() shows in the cache as it leaves the outbox', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const ca = await libraryClient(host, a, { WebSocket: answerFirstWebSocket() });
    const direct = await ca.client.http.direct(b.id);
    // An HTTP answer does not touch the cache: the conversation joins it when opened or written to.
    expect(ca.client.conversation(direct.id)).toBeUndefined();
    const unseen = watchOutbox(ca.client, direct.id);
    const { clientMsgId, sent } = ca.client.send(direct.id, 'hi Bea');
    const message = await sent;
    expect(unseen).toEqual([]);
    expect(message.clientMsgId).toBe(clientMsgId);
    expect(ca.client.messages(direct.id).map((m) => m.id)).toEqual([message.id]);
    expect(ca.client.conversation(direct.id)).toMatchObject({ lastMessage: { id: message.id }, unreadCount: 0 });
    expect(ca.client.conversations().map((v) => v.conversation.id)).toEqual([direct.id]);

    // Where I am no member, opening it first fails quietly: the send fails for good as before.
    const theirs = await host.direct(b, await host.createUser());
    const refused = ca.client.send(theirs.id, 'hello?');
    await expect(refused.sent).rejects.toMatchObject({ code: 'conversation_not_found' });
    expect(ca.client.pending(theirs.id)).toMatchObject([{ clientMsgId: refused.clientMsgId, state: 'failed' }]);
    expect(ca.client.conversation(theirs.id)).toBeUndefined();
  });

  it('mute() answers with the view, also for a conversation the cache did not know', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const ca = await libraryClient(host, a);
    const direct = await ca.client.http.direct(b.id);
    const view = await ca.client.mute(direct.id, 'forever');
    expect(view).toMatchObject({ conversation: { id: direct.id }, mutedUntil: '9999-12-31T23:59:59.999Z' });
    expect(ca.client.conversation(direct.id)?.mutedUntil).toBe('9999-12-31T23:59:59.999Z');
    const unmuted = await ca.client.mute(direct.id, null);
    expect(unmuted.mutedUntil).toBeNull();
  });
});
