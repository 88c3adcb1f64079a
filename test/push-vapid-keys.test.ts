/**
 * The VAPID key pair: made once and kept in the database (so a restart, or another host on the
 * same database, signs with the same key), or taken from the config, checked.
 */
import { describe, expect, it } from 'vitest';
import webpush from 'web-push';
import { startTestHost } from './support/start-test-host.js';
import { createTestDatabase } from './support/test-database.js';

describe('VAPID keys', () => {
  it('makes a pair once and keeps it across restarts', async () => {
    const database = await createTestDatabase();
    try {
      const first = await startTestHost({ database });
      const user = await first.createUser();
      const before = (await first.http('GET', '/v1/push/vapid-key', { token: user.token })).body.publicKey;
      expect(before).toMatch(/^[A-Za-z0-9_-]{87}$/);
      await first.stop();
      const second = await startTestHost({ database });
      try {
        const other = await second.createUser();
        expect((await second.http('GET', '/v1/push/vapid-key', { token: other.token })).body.publicKey).toBe(before);
      } finally {
        await second.stop();
      }
    } finally {
      await database.drop();
    }
  });

  it('takes the pair from the config, and refuses to start with a public key of another private key', async () => {
    const pair = webpush.generateVAPIDKeys();
    const host = await startTestHost({ config: { push: { vapid: { ...pair, subject: 'mailto:ops@example.com' } } } });
    try {
      const user = await host.createUser();
      expect((await host.http('GET', '/v1/push/vapid-key', { token: user.token })).body).toEqual({
        publicKey: pair.publicKey,
      });
    } finally {
      await host.stop();
    }
    const other = webpush.generateVAPIDKeys();
    await expect(
      startTestHost({ config: { push: { vapid: { publicKey: other.publicKey, privateKey: pair.privateKey } } } }),
    ).rejects.toMatchObject({ code: 'config_invalid', message: expect.stringContaining('push.vapid.publicKey') });
    // Half a pair is refused by the config's schema.
    await expect(startTestHost({ config: { push: { vapid: { publicKey: pair.publicKey } } } })).rejects.toThrow(
      /privateKey/,
    );
  });
});
