/**
 * Sending attachments (attachmentIds on the send frame and the HTTP send): who may send which
 * upload, resends, limits, and what deleting the message does to its files.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { RequestError } from './support/test-client.js';
import { binaryBytes, fetchFile, uploaded } from './support/attachment-helpers.js';

describe('sending attachments', () => {
  let host: TestHost;
  let alice: TestUser;
  let bob: TestUser;
  let group: { id: string };

  beforeEach(async () => {
    host = await startTestHost({ config: { attachments: { maxPerMessage: 3 } } });
    [alice, bob] = await Promise.all([host.createUser(), host.createUser()]);
    group = await host.createGroup(alice, [bob]);
  });
  afterEach(() => host.stop());

  const sendFrame = (conversationId: string, attachmentIds: string[], text = '', clientMsgId = randomUUID()) => ({
    type: 'send',
    conversationId,
    clientMsgId,
    content: { type: 'text', text },
    attachmentIds,
  });
  const refusal = async (p: Promise<unknown>) => {
    const err = await p.then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(RequestError);
    return (err as RequestError & { error: { code: string; details?: { path: string }[] } }).error;
  };

  it('delivers the attachments with the message to the other members', async () => {
    const [a, b] = [
      await uploaded(host, alice, binaryBytes(10), 'a.bin'),
      await uploaded(host, alice, 'hello', 'b.txt'),
    ];
    const sender = await host.connect(alice.token);
    const reader = await host.connect(bob.token);
    const sent = await sender.request(sendFrame(group.id, [b.id, a.id], 'two files'));
    expect(sent.message.attachments.map((x: { id: string }) => x.id)).toEqual([b.id, a.id]);
    const created = await reader.next('message.created');
    expect(created.message.attachments).toEqual(sent.message.attachments);
    expect(created.message.attachments[0]).toMatchObject({ name: 'b.txt', mimeType: 'text/plain', size: 5 });
  });

  it('makes a resend with the same attachments a duplicate, and with others a conflict', async () => {
    const [a, b] = [
      await uploaded(host, alice, binaryBytes(10), 'a.bin'),
      await uploaded(host, alice, binaryBytes(11, 2), 'b.bin'),
    ];
    const client = await host.connect(alice.token);
    const sameId = randomUUID();
    const first = await client.request(sendFrame(group.id, [a.id], 'x', sameId));
    const again = await client.request(sendFrame(group.id, [a.id], 'x', sameId));
    expect(again.duplicate).toBe(true);
    expect(again.message.id).toBe(first.message.id);
    expect(again.message.attachments).toEqual(first.message.attachments);
    expect((await refusal(client.request(sendFrame(group.id, [b.id], 'x', sameId)))).code).toBe(
      'client_msg_id_conflict',
    );
    const withoutFiles = {
      type: 'send',
      conversationId: group.id,
      clientMsgId: sameId,
      content: { type: 'text', text: 'x' },
    };
    expect((await refusal(client.request(withoutFiles))).code).toBe('client_msg_id_conflict');
    // The conflicting attachment is still unsent: it can go with another message.
    expect((await client.request(sendFrame(group.id, [b.id]))).message.attachments[0].id).toBe(b.id);
  });

  it('refuses foreign, unknown, already sent and too many attachments', async () => {
    const mine = await uploaded(host, alice, binaryBytes(10), 'a.bin');
    const bobs = await uploaded(host, bob, binaryBytes(10, 3), 'b.bin');
    const client = await host.connect(alice.token);
    const foreign = await refusal(client.request(sendFrame(group.id, [mine.id, bobs.id])));
    expect(foreign).toMatchObject({ code: 'attachment_not_found', details: [{ path: '/attachmentIds/1' }] });
    expect((await refusal(client.request(sendFrame(group.id, [randomUUID()])))).code).toBe('attachment_not_found');
    await client.request(sendFrame(group.id, [mine.id]));
    const twice = await refusal(client.request(sendFrame(group.id, [mine.id])));
    expect(twice).toMatchObject({ code: 'attachment_already_sent', details: [{ path: '/attachmentIds/0' }] });
    const four = await Promise.all([1, 2, 3, 4].map((n) => uploaded(host, alice, binaryBytes(10, 10 + n), `${n}.bin`)));
    const many = await refusal(
      client.request(
        sendFrame(
          group.id,
          four.map((x) => x.id),
        ),
      ),
    );
    expect(many).toMatchObject({ code: 'invalid_request', details: [{ path: '/attachmentIds' }] });
    // Over HTTP the same rules, with their statuses.
    const http = await host.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: alice.token,
      body: { clientMsgId: randomUUID(), content: { type: 'text', text: 'hi' }, attachmentIds: [mine.id] },
    });
    expect(http.status).toBe(409);
    expect(http.body.error.code).toBe('attachment_already_sent');
  });

  it('takes empty text only with attachments', async () => {
    const client = await host.connect(alice.token);
    const empty = await refusal(client.request(sendFrame(group.id, [], '')));
    // An empty list is refused by the schema (minItems 1) before the text rule.
    expect(empty.code).toBe('invalid_request');
    const bare = await refusal(
      client.request({
        type: 'send',
        conversationId: group.id,
        clientMsgId: randomUUID(),
        content: { type: 'text', text: '' },
      }),
    );
    expect(bare).toMatchObject({ code: 'invalid_request', details: [{ path: '/content/text' }] });
  });

  it('takes a deleted message’s attachments with it', async () => {
    const up = await uploaded(host, alice, binaryBytes(500), 'gone.bin');
    const client = await host.connect(alice.token);
    const sent = await client.request(sendFrame(group.id, [up.id], 'soon gone'));
    const seen = await host.http('GET', `/v1/attachments/${up.id}`, { token: bob.token });
    expect((await fetchFile(host, seen.body.url)).status).toBe(200);
    const deleted = await client.request({ type: 'delete', conversationId: group.id, messageId: sent.message.id });
    expect(deleted.message.attachments).toEqual([]);
    expect((await host.http('GET', `/v1/attachments/${up.id}`, { token: bob.token })).status).toBe(404);
    expect((await host.http('GET', `/v1/attachments/${up.id}`, { token: alice.token })).status).toBe(404);
    const file = await fetchFile(host, seen.body.url);
    expect(file.status).toBe(404);
    expect(file.json.error.code).toBe('attachment_not_found');
    const history = await host.http('GET', `/v1/conversations/${group.id}/messages`, { token: bob.token });
    expect(history.body.messages.find((m: { id: string }) => m.id === sent.message.id).attachments).toEqual([]);
  });
});
