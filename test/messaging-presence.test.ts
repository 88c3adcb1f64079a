/**
 * Messaging end to end, presence: status on subscribe, online/offline pushes, several
 * connections of one user, and unsubscribe.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { settle, online } from './support/protocol-helpers.js';
import { messagingHostOptions } from './support/messaging-helpers.js';

describe('messaging', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost(messagingHostOptions);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('reports presence on subscribe and pushes online and offline changes of subscribed users', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    await host.direct(a, b);
    const ca = await online(host, a);
    const sub = await ca.request({ type: 'presence.subscribe', userIds: [b.id] });
    expect(sub.presence).toEqual([expect.objectContaining({ userId: b.id, status: 'offline' })]);

    const cb = await online(host, b);
    expect(await ca.next((f) => f.type === 'presence' && f.userId === b.id)).toMatchObject({ status: 'online' });
    expect((await ca.request({ type: 'presence.subscribe', userIds: [b.id] })).presence[0]).toMatchObject({
      status: 'online',
    });
    await cb.close();
    const offline = await ca.next((f) => f.type === 'presence' && f.userId === b.id);
    expect(offline.status).toBe('offline');
    expect(typeof offline.lastSeenAt).toBe('string');
  });

  it('reports a user with several connections online until the last one closes, and stops after unsubscribe', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    await host.direct(a, b);
    const ca = await online(host, a);
    await ca.request({ type: 'presence.subscribe', userIds: [b.id] });
    const phone = await online(host, b);
    const laptop = await online(host, b);
    await ca.next((f) => f.type === 'presence' && f.userId === b.id && f.status === 'online');
    await phone.close();
    await settle(ca, laptop);
    expect(ca.frames.filter((f) => f.type === 'presence' && f.userId === b.id).map((f) => f.status)).toEqual([
      'online',
    ]);
    await laptop.close();
    await ca.next((f) => f.type === 'presence' && f.userId === b.id && f.status === 'offline');

    expect(await ca.request({ type: 'presence.unsubscribe', userIds: [b.id] })).toEqual({});
    const again = await online(host, b);
    await settle(ca, again);
    expect(ca.frames.filter((f) => f.type === 'presence' && f.userId === b.id).map((f) => f.status)).toEqual([
      'online',
      'offline',
    ]);
  });
});
