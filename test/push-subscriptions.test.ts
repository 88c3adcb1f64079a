/**
 * The push API: the VAPID key, subscriptions (checked endpoints and keys, bounded per person),
 * unsubscribing, and quiet hours; and what mute and quiet hours hold back.
 */
import { describe, expect, it } from 'vitest';
import { pushIdle, pushSuite, startPushHost, subscribe } from './support/push-helpers.js';
import { send } from './support/messaging-helpers.js';
import { online } from './support/protocol-helpers.js';
import { HttpApi } from '../sdk/client/index.js';
import { clientRefusal } from './support/client-library.js';

const suite = pushSuite({ config: { push: { maxSubscriptionsPerUser: 2 } } });

/** HH:MM in the zone, `deltaMinutes` from now. */
function localTime(timeZone: string, deltaMinutes: number): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
    Date.now() + deltaMinutes * 60_000,
  );
}

describe('push subscriptions', () => {
  it('gives the same VAPID key to everyone, and needs a token', async () => {
    const [a, b] = await Promise.all([suite.host.createUser(), suite.host.createUser()]);
    const ka = await suite.host.http('GET', '/v1/push/vapid-key', { token: a.token });
    const kb = await suite.host.http('GET', '/v1/push/vapid-key', { token: b.token });
    expect(ka.body.publicKey).toMatch(/^[A-Za-z0-9_-]{87}$/);
    expect(kb.body.publicKey).toBe(ka.body.publicKey);
    expect((await suite.host.http('GET', '/v1/push/vapid-key')).status).toBe(401);
  });

  it.each([
    ['http://push.example.com/send/1', 'must be an https: URL'],
    ['https://10.1.2.3/send/1', 'non-public address (private)'],
    ['https://169.254.169.254/latest', 'non-public address (linkLocal)'],
    ['https://[fd00::5]/send', 'non-public address (uniqueLocal)'],
    ['https://user:secret@push.example.com/send', 'may not carry credentials'],
    ['not a url', 'is not an absolute URL'],
  ])('refuses the endpoint %s with push_endpoint_invalid', async (endpoint, why) => {
    const user = await suite.host.createUser();
    const res = await suite.host.http('POST', '/v1/push/subscriptions', {
      token: user.token,
      body: { endpoint, keys: suite.service.newBrowser().keys },
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('push_endpoint_invalid');
    expect(res.body.error.details).toEqual([{ path: '/endpoint', message: expect.stringContaining(why) }]);
  });

  it('refuses loopback endpoints unless push.allowLocalEndpoints is set', async () => {
    const strict = await startPushHost({ config: { push: { allowLocalEndpoints: false } } });
    try {
      const user = await strict.createUser();
      const res = await strict.http('POST', '/v1/push/subscriptions', {
        token: user.token,
        body: suite.service.newBrowser(),
      });
      expect(res.body.error.code).toBe('push_endpoint_invalid');
      const https = await strict.http('POST', '/v1/push/subscriptions', {
        token: user.token,
        body: { endpoint: 'https://localhost:8443/push', keys: suite.service.newBrowser().keys },
      });
      expect(https.body.error.code).toBe('push_endpoint_invalid');
      expect(https.body.error.message).toContain('names this machine');
    } finally {
      await strict.stop();
    }
  });

  it('refuses keys that are not a P-256 point and a 16-byte secret', async () => {
    const user = await suite.host.createUser();
    const { endpoint, keys } = suite.service.newBrowser();
    const notOnCurve = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]).toString('base64url');
    for (const [bad, path] of [
      [{ ...keys, p256dh: notOnCurve }, '/keys/p256dh'],
      [{ ...keys, p256dh: keys.p256dh.slice(0, 40) }, '/keys/p256dh'],
      [{ ...keys, auth: Buffer.alloc(8).toString('base64url') }, '/keys/auth'],
    ] as const) {
      const res = await suite.host.http('POST', '/v1/push/subscriptions', {
        token: user.token,
        body: { endpoint, keys: bad },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.details[0].path).toBe(path);
    }
  });

  it('keeps at most maxSubscriptionsPerUser browsers, dropping the oldest; unsubscribing stops pushes', async () => {
    const [a, b] = await Promise.all([suite.host.createUser(), suite.host.createUser()]);
    const conv = await suite.host.direct(a, b);
    const first = await subscribe(suite.host, b, suite.service);
    const second = await subscribe(suite.host, b, suite.service);
    const third = await subscribe(suite.host, b, suite.service);
    const ca = await online(suite.host, a);
    await send(ca, conv.id, { type: 'text', text: 'one' });
    await suite.service.waitForPush(second);
    await suite.service.waitForPush(third);
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(first)).toEqual([]);

    const del = await suite.host.http('DELETE', '/v1/push/subscriptions', {
      token: b.token,
      body: { endpoint: second.endpoint },
    });
    expect(del.status).toBe(204);
    // Unsubscribing twice (two tabs) is no error; another person's endpoint is left alone.
    expect(
      (
        await suite.host.http('DELETE', '/v1/push/subscriptions', {
          token: b.token,
          body: { endpoint: second.endpoint },
        })
      ).status,
    ).toBe(204);
    await suite.host.http('DELETE', '/v1/push/subscriptions', { token: a.token, body: { endpoint: third.endpoint } });
    await send(ca, conv.id, { type: 'text', text: 'two' });
    await suite.service.waitForPush(third, (p) => p.payload.body === 'two');
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(second)).toHaveLength(1);
  });

  it('moves a browser to whoever subscribes it last', async () => {
    const [a, b, c] = await Promise.all([suite.host.createUser(), suite.host.createUser(), suite.host.createUser()]);
    const conv = await suite.host.direct(a, c);
    const browser = await subscribe(suite.host, b, suite.service);
    const again = await suite.host.http('POST', '/v1/push/subscriptions', { token: c.token, body: browser });
    expect(again.status).toBe(201);
    const ca = await online(suite.host, a);
    const { message } = await send(ca, conv.id, { type: 'text', text: 'for c' });
    expect((await suite.service.waitForPush(browser)).payload.messageId).toBe(message.id);
  });
});

describe('the client library', () => {
  it('subscribes, sets quiet hours and unsubscribes through HttpApi', async () => {
    const [a, b] = await Promise.all([suite.host.createUser(), suite.host.createUser()]);
    const conv = await suite.host.direct(a, b);
    const api = new HttpApi({ baseUrl: suite.host.url, token: b.token });
    expect(await api.vapidKey()).toBe(
      (await suite.host.http('GET', '/v1/push/vapid-key', { token: a.token })).body.publicKey,
    );
    const browser = suite.service.newBrowser();
    const stored = await api.subscribePush({ ...browser, expirationTime: null });
    expect(stored).toEqual({ id: expect.any(String), endpoint: browser.endpoint, createdAt: expect.any(String) });
    const quietHours = { start: '09:00', end: '17:00', timeZone: 'America/New_York' };
    expect(await api.setNotificationSettings({ quietHours })).toEqual({ quietHours });
    expect(await api.notificationSettings()).toEqual({ quietHours });
    await api.setNotificationSettings({ quietHours: null });
    const refused = await clientRefusal(
      api.subscribePush({ endpoint: 'http://push.example.com/x', keys: browser.keys }),
    );
    expect(refused.code).toBe('push_endpoint_invalid');
    await api.unsubscribePush(browser.endpoint);
    const ca = await online(suite.host, a);
    await send(ca, conv.id, { type: 'text', text: 'after unsubscribing' });
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(browser)).toEqual([]);
  });
});

describe('notification settings, mute and quiet hours', () => {
  it('stores quiet hours under the canonical zone name and refuses what is not a time or a zone', async () => {
    const user = await suite.host.createUser();
    const empty = await suite.host.http('GET', '/v1/me/notification-settings', { token: user.token });
    expect(empty.body).toEqual({ quietHours: null });
    const put = await suite.host.http('PUT', '/v1/me/notification-settings', {
      token: user.token,
      body: { quietHours: { start: '22:00', end: '07:00', timeZone: 'europe/paris' } },
    });
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ quietHours: { start: '22:00', end: '07:00', timeZone: 'Europe/Paris' } });
    expect((await suite.host.http('GET', '/v1/me/notification-settings', { token: user.token })).body).toEqual(
      put.body,
    );
    for (const [quietHours, path] of [
      [{ start: '22:00', end: '07:00', timeZone: 'Mars/Olympus_Mons' }, '/quietHours/timeZone'],
      [{ start: '24:00', end: '07:00', timeZone: 'UTC' }, '/quietHours/start'],
      [{ start: '7:00', end: '08:00', timeZone: 'UTC' }, '/quietHours/start'],
      [{ start: '08:00', end: '08:00', timeZone: 'UTC' }, '/quietHours/end'],
    ] as const) {
      const res = await suite.host.http('PUT', '/v1/me/notification-settings', {
        token: user.token,
        body: { quietHours },
      });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
      expect(res.body.error.details.map((d: { path: string }) => d.path)).toContain(path);
    }
    const cleared = await suite.host.http('PUT', '/v1/me/notification-settings', {
      token: user.token,
      body: { quietHours: null },
    });
    expect(cleared.body).toEqual({ quietHours: null });
  });

  it('holds pushes back during quiet hours, in the person’s own time zone', async () => {
    const [a, b] = await Promise.all([suite.host.createUser(), suite.host.createUser()]);
    const conv = await suite.host.direct(a, b);
    const browser = await subscribe(suite.host, b, suite.service);
    const ca = await online(suite.host, a);
    // Two hours around now in Kolkata (UTC+5:30) is far from now in UTC.
    const window = { start: localTime('Asia/Kolkata', -60), end: localTime('Asia/Kolkata', 60) };
    await suite.host.http('PUT', '/v1/me/notification-settings', {
      token: b.token,
      body: { quietHours: { ...window, timeZone: 'Asia/Kolkata' } },
    });
    await send(ca, conv.id, { type: 'text', text: 'quiet please' });
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(browser)).toEqual([]);

    await suite.host.http('PUT', '/v1/me/notification-settings', {
      token: b.token,
      body: { quietHours: { ...window, timeZone: 'UTC' } },
    });
    const { message } = await send(ca, conv.id, { type: 'text', text: 'not quiet in UTC' });
    expect((await suite.service.waitForPush(browser)).payload.messageId).toBe(message.id);
  });

  it('pushes nothing for a conversation the person muted, and again once unmuted', async () => {
    const [a, b] = await Promise.all([suite.host.createUser(), suite.host.createUser()]);
    const conv = await suite.host.direct(a, b);
    const browser = await subscribe(suite.host, b, suite.service);
    const ca = await online(suite.host, a);
    const muted = await suite.host.http('PUT', `/v1/conversations/${conv.id}/mute`, {
      token: b.token,
      body: { until: 'forever' },
    });
    expect(muted.status, JSON.stringify(muted.body)).toBe(200);
    await send(ca, conv.id, { type: 'text', text: 'muted' });
    await pushIdle(suite.host);
    expect(suite.service.pushesTo(browser)).toEqual([]);

    await suite.host.http('PUT', `/v1/conversations/${conv.id}/mute`, { token: b.token, body: { until: null } });
    const { message } = await send(ca, conv.id, { type: 'text', text: 'unmuted' });
    expect((await suite.service.waitForPush(browser)).payload.messageId).toBe(message.id);
  });
});
