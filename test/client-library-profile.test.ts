/**
 * The client library and profiles: HttpApi changes the display name and the avatar, and every
 * client of the user and of the people they share a conversation with hears `user.updated`;
 * `client.user` follows on the user's own devices.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { clientRefusal, directPair, libraryClient, libraryTestHost } from './support/client-library.js';
import { eventually } from './support/eventually.js';
import { cameraJpeg } from './support/image-fixtures.js';

describe('client library: profiles', () => {
  const host = libraryTestHost();

  it("updates the display name, and the other side's client and my other device hear it", async () => {
    const { a, ca, cb } = await directPair(host);
    const laptop = await libraryClient(host, a);
    const me = await ca.client.http.updateProfile({ displayName: 'Ada (away)' });
    expect(me).toMatchObject({ id: a.id, displayName: 'Ada (away)', avatarUrl: null });

    await eventually(() => cb.events.user.length === 1 && laptop.events.user.length === 1, { what: 'user.updated' });
    expect(cb.events.user[0]).toEqual([me]);
    expect(laptop.client.user).toEqual(me);
    // The other side's own user is not touched by news about someone else.
    expect(cb.client.user?.id).not.toBe(a.id);
  });

  it('sets and removes the avatar with raw image bytes; the URL resolves on the host', async () => {
    const { a, ca, cb } = await directPair(host);
    const photo = await cameraJpeg(120, 80);
    const withAvatar = await ca.client.http.setAvatar(new Uint8Array(photo), 'image/jpeg');
    expect(withAvatar.avatarUrl).toMatch(/^\/v1\/avatars\/[0-9a-f]{64}$/);
    const res = await fetch(ca.client.http.absoluteUrl(withAvatar.avatarUrl!));
    expect(res.headers.get('content-type')).toBe('image/webp');
    const hash = createHash('sha256')
      .update(Buffer.from(await res.arrayBuffer()))
      .digest('hex');
    expect(withAvatar.avatarUrl).toBe(`/v1/avatars/${hash}`);
    await eventually(() => ca.client.user?.avatarUrl === withAvatar.avatarUrl, { what: "a's own client to follow" });

    const cleared = await ca.client.http.removeAvatar();
    expect(cleared.avatarUrl).toBeNull();
    await eventually(() => cb.events.user.map(([u]) => u.avatarUrl).join() === `${withAvatar.avatarUrl},`);
    expect(cb.events.user.every(([u]) => u.id === a.id)).toBe(true);

    const refused = await clientRefusal(ca.client.http.setAvatar(new Uint8Array(Buffer.from('not an image'))));
    expect(refused).toMatchObject({ code: 'attachment_type_not_allowed', status: 415 });
  });
});
