/**
 * Sandboxed apps forward and pin through the one capability dispatch, as trusted plugins do: the
 * same services and checks behind the boundary, arguments and answers copied across it, the
 * refusals arriving as the typed errors, and forwards and pins counted with sends.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import { online } from './support/protocol-helpers.js';
import { botOf, enable, roomWith } from './support/plugin-helpers.js';
import { appManifest, runOp, startSandboxHost } from './support/sandbox-helpers.js';

const PINNER_ENTRY = `${repoRoot}/test/fixtures/apps/pinner/index.ts`;

const app = (id: string, permissions: string[], limits?: Record<string, number>) =>
  enable(
    appManifest(id, {
      entry: PINNER_ENTRY,
      permissions: Object.fromEntries(['commands', ...permissions].map((p) => [p, {}])),
      ...(limits ? { limits } : {}),
    }),
  );

describe('sandboxed apps forward and pin messages', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let bot: string;
  let source: any;
  let room: any;

  beforeAll(async () => {
    ({ host, user: ada } = await startSandboxHost(
      [
        app('pin-app', ['messages.send', 'messages.read', 'messages.pin']),
        app('pinless-app', ['messages.send', 'messages.read']),
        app('hasty-app', ['messages.send', 'messages.read', 'messages.pin'], { sendsPerMinute: 2 }),
      ],
      ['pin-app', 'pinless-app', 'hasty-app'],
    ));
    bob = await host.createUser();
    source = await roomWith(host, ada, ['pin-app'], [bob]);
    room = await roomWith(host, ada, ['pin-app']);
    bot = await botOf(host, 'pin-app');
  });
  afterAll(() => host?.stop());

  const sendAs = async (user: TestUser, conversationId: string, text: string) => {
    const res = await host.http('POST', `/v1/conversations/${conversationId}/messages`, {
      token: user.token,
      body: { clientMsgId: randomUUID(), content: { type: 'text', text } },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.message;
  };
  /** `/run <method> <args as JSON>` in the room: the app's outcome. */
  const run = async (roomId: string, method: string, ...args: unknown[]) => {
    const res = await runOp(host, ada, roomId, `${method} ${JSON.stringify(args)}`);
    expect(res.status, JSON.stringify(res.error)).toBe(200);
    return res.value;
  };
  const of = (m: { conversationId: string; id: string }) => ({ conversationId: m.conversationId, messageId: m.id });

  it('forwards into its conversation: a person gets the bot’s forward, marked forwarded, mentioning no one', async () => {
    const original = await sendAs(bob, source.id, `@${ada.handle} have a look`);
    expect(original.entities).toHaveLength(1);
    const adas = await online(host, ada);
    const { ok, value: sent } = await run(room.id, 'forward', room.id, of(original), { clientMsgId: 'app-fwd' });
    expect(ok).toBe(true);
    const live = await adas.next((f) => f.type === 'message.created' && f.message.id === sent.id);
    expect(live.message).toMatchObject({
      conversationId: room.id,
      senderId: bot,
      clientMsgId: 'app-fwd',
      content: { type: 'text', text: `@${ada.handle} have a look` },
      entities: [],
      forwarded: { at: original.createdAt },
    });
    expect(live.message).toEqual(sent);
    const listed = (await host.http('GET', '/v1/conversations', { token: ada.token })).body.conversations;
    expect(listed.find((c: { id: string }) => c.id === room.id).mentionCount).toBe(0);
  });

  it('refuses a source the bot cannot read as message_not_found, and a malformed one as invalid_request', async () => {
    const secret = await sendAs(bob, (await host.direct(ada, bob)).id, 'not for bots');
    expect(await run(room.id, 'forward', room.id, of(secret))).toMatchObject({
      ok: false,
      name: 'SwitchboardError',
      code: 'message_not_found',
    });
    expect(await run(room.id, 'forward', room.id, 'not an object')).toMatchObject({
      ok: false,
      name: 'SwitchboardError',
      code: 'invalid_request',
      details: [{ path: '/1' }],
    });
  });

  it('pins: the system message reaches members, pins() lists it, and unpin takes it out', async () => {
    const adas = await online(host, ada);
    const target = await sendAs(ada, room.id, 'pin this');
    const pinned = await run(room.id, 'pin', room.id, target.id);
    expect(pinned).toMatchObject({ ok: true, value: { message: { id: target.id }, pinnedBy: bot } });
    const notice = await adas.next(
      (f) =>
        f.type === 'message.created' &&
        f.message.content.type === 'system.message_pinned' &&
        f.message.content.body.messageId === target.id,
    );
    expect(notice.message.senderId).toBe(bot);
    expect(await run(room.id, 'pins', room.id)).toEqual({ ok: true, value: [pinned.value] });
    expect((await host.http('GET', `/v1/conversations/${room.id}/pins`, { token: ada.token })).body.pins).toEqual([
      pinned.value,
    ]);
    expect(await run(room.id, 'unpin', room.id, target.id)).toEqual({ ok: true, value: null });
    await adas.next(
      (f) =>
        f.type === 'message.created' &&
        f.message.content.type === 'system.message_unpinned' &&
        f.message.content.body.messageId === target.id,
    );
    expect(await run(room.id, 'pins', room.id)).toEqual({ ok: true, value: [] });
  });

  it('without messages.pin, pin and unpin throw PermissionDeniedError naming it; pins() needs only messages.read', async () => {
    const pinlessRoom = await roomWith(host, ada, ['pinless-app']);
    const target = await sendAs(ada, pinlessRoom.id, 'try to pin');
    for (const method of ['pin', 'unpin'])
      expect(await run(pinlessRoom.id, method, pinlessRoom.id, target.id), method).toMatchObject({
        ok: false,
        name: 'PermissionDeniedError',
        code: 'permission_denied',
        permission: 'messages.pin',
      });
    expect(await run(pinlessRoom.id, 'pins', pinlessRoom.id)).toEqual({ ok: true, value: [] });
    expect(
      (await host.http('GET', `/v1/conversations/${pinlessRoom.id}/pins`, { token: ada.token })).body.pins,
    ).toEqual([]);
  });

  it('counts forwards and pins with its sends (sendsPerMinute)', async () => {
    const hastyRoom = await roomWith(host, ada, ['hasty-app']);
    const target = await sendAs(ada, hastyRoom.id, 'busy');
    expect((await run(hastyRoom.id, 'pin', hastyRoom.id, target.id)).ok).toBe(true);
    expect((await run(hastyRoom.id, 'forward', hastyRoom.id, of(target))).ok).toBe(true);
    expect(await run(hastyRoom.id, 'unpin', hastyRoom.id, target.id)).toMatchObject({
      ok: false,
      code: 'sandbox_limit',
    });
  });
});
