/**
 * Behaviours docs/protocol.md spells out: resends after an edit or delete, clientMsgId scope,
 * receipts and typing fan-out to the reader's own connections, resume after an edit, and the
 * admin routes' 401/403 answers.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { type TestClient } from './support/test-client.js';
import { ping } from './support/e2e.js';
import { inputRulesConfig } from './support/input-rules-helpers.js';

describe('input rules', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let conversationId: string;
  let client: TestClient;
  beforeAll(async () => {
    host = await startTestHost({ config: inputRulesConfig });
    [ada, bob] = await Promise.all([host.createUser(), host.createUser()]);
    conversationId = (await host.createGroup(ada, [bob])).id;
    client = await host.connect(ada.token);
  });
  afterAll(async () => {
    await host?.stop();
  });

  describe('behaviours docs/protocol.md spells out', () => {
    it('an exact resend after an edit or a delete answers duplicate:true with the current state', async () => {
      const clientMsgId = randomUUID();
      const first = await client.sendText(conversationId, 'orig', clientMsgId);
      await client.request({
        type: 'edit',
        conversationId,
        messageId: first.message.id,
        content: { type: 'text', text: 'edited' },
      });
      const afterEdit = await client.sendText(conversationId, 'orig', clientMsgId);
      expect(afterEdit).toMatchObject({
        duplicate: true,
        message: { id: first.message.id, content: { text: 'edited' } },
      });
      await client.request({ type: 'delete', conversationId, messageId: first.message.id });
      const afterDelete = await client.sendText(conversationId, 'orig', clientMsgId);
      expect(afterDelete).toMatchObject({ duplicate: true, message: { id: first.message.id, content: null } });
      expect(afterDelete.message.deletedAt).not.toBeNull();
    });

    it('a clientMsgId is scoped to its conversation and sender', async () => {
      const clientMsgId = randomUUID();
      const bobClient = await host.connect(bob.token);
      const a = await client.sendText(conversationId, 'same id', clientMsgId);
      const b = await bobClient.sendText(conversationId, 'same id', clientMsgId);
      expect(b.duplicate).toBe(false);
      expect(b.message.id).not.toBe(a.message.id);
      await bobClient.close();
    });

    it("receipts reach the reader too, on every connection; typing reaches none of the typist's", async () => {
      const other = await host.connect(ada.token);
      const bobClient = await host.connect(bob.token);
      const { message } = await bobClient.sendText(conversationId, 'read me');
      const mine = other.waitFor((f) => f.type === 'receipt' && f.userId === ada.id && f.seq === message.seq, 5000);
      const ownConn = client.waitFor((f) => f.type === 'receipt' && f.userId === ada.id && f.seq === message.seq, 5000);
      await client.request({ type: 'read', conversationId, seq: message.seq });
      await Promise.all([mine, ownConn]);
      const seen = bobClient.waitFor((f) => f.type === 'typing' && f.userId === ada.id, 5000);
      client.sendRaw({ type: 'typing', conversationId, state: 'started' });
      await seen;
      // Fan-out writes to every member's sockets in one go; a pong after it proves none came.
      await Promise.all([ping(client), ping(other)]);
      expect([...client.frames, ...other.frames].filter((f) => f.type === 'typing')).toEqual([]);
      await Promise.all([other.close(), bobClient.close()]);
    });

    it('resume: a message created and edited since arrives once, as message.created at its newest pts; a second resume works', async () => {
      const group = await host.createGroup(ada, [bob], 'resume twice');
      const start = (await host.http('GET', `/v1/conversations/${group.id}`, { token: ada.token })).body.lastPts;
      const { message } = await client.sendText(group.id, 'v1');
      const edited = await client.request({
        type: 'edit',
        conversationId: group.id,
        messageId: message.id,
        content: { type: 'text', text: 'v2' },
      });
      const fresh = await host.connect(ada.token);
      const first = await fresh.request({ type: 'resume', conversations: [{ conversationId: group.id, pts: start }] });
      expect(first.conversations).toEqual([
        { conversationId: group.id, status: 'caught_up', pts: edited.message.pts, seq: message.seq },
      ]);
      const frames = fresh.frames.filter((f) => f.conversationId === group.id && f.type.startsWith('message.'));
      expect(frames).toEqual([
        expect.objectContaining({
          type: 'message.created',
          pts: edited.message.pts,
          message: expect.objectContaining({ content: { type: 'text', text: 'v2' } }),
        }),
      ]);
      const again = await fresh.request({
        type: 'resume',
        conversations: [{ conversationId: group.id, pts: edited.message.pts }],
      });
      expect(again.conversations[0]).toMatchObject({ status: 'caught_up', pts: edited.message.pts });
      const older = await fresh.request({ type: 'resume', conversations: [{ conversationId: group.id, pts: start }] });
      expect(older.conversations[0]).toMatchObject({ status: 'resync', pts: edited.message.pts });
      expect(fresh.frames.filter((f) => f.conversationId === group.id && f.type.startsWith('message.')).length).toBe(1);
      await fresh.close();
    });

    it('admin routes: no bearer token is 401 unauthenticated; any other token is 403 admin_required', async () => {
      expect((await host.http('GET', '/v1/admin/apps')).body.error.code).toBe('unauthenticated');
      for (const token of [ada.token, 'sb_not-a-real-token']) {
        const res = await host.http('GET', '/v1/admin/apps', { token });
        expect(res.status).toBe(403);
        expect(res.body.error.code).toBe('admin_required');
      }
    });
  });
});
