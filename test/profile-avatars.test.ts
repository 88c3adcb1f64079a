/**
 * Profile edits and avatars: PATCH /v1/me, PUT/DELETE /v1/me/avatar, avatars served by content
 * hash without a token, `user.updated` to the members of the user's conversations (and nobody
 * else), and the attachment sweep keeping an avatar's blob while a user has it.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import type { TestClient } from './support/test-client.js';
import type { BlobStore } from '../host/attachments/blob-store.js';
import { defaultBlobStore } from '../host/attachments/default-blob-store.js';
import { fetchFile, movableClock, uploaded } from './support/attachment-helpers.js';
import { eventually } from './support/eventually.js';
import { cameraJpeg, plainPng, pngBomb, truncatedJpeg } from './support/image-fixtures.js';

const putAvatar = (host: TestHost, user: TestUser, bytes: Buffer | string, type?: string) =>
  host.http('PUT', '/v1/me/avatar', {
    token: user.token,
    rawBody: typeof bytes === 'string' ? Buffer.from(bytes) : bytes,
    headers: { 'content-type': type ?? 'application/octet-stream' },
  });

/** The store's methods, bound, so a spread copy still calls them on the store. */
function bind(store: BlobStore): BlobStore {
  return {
    put: (hash, bytes) => store.put(hash, bytes),
    read: (hash) => store.read(hash),
    readRange: (hash, start, end) => store.readRange(hash, start, end),
    stat: (hash) => store.stat(hash),
    delete: (hash) => store.delete(hash),
  };
}

/** A ping answered after everything the host wrote to this socket before it. */
async function drained(client: TestClient): Promise<void> {
  const id = `p${Math.random()}`;
  client.sendRaw({ type: 'ping', id });
  await client.waitFor((f) => f.type === 'pong' && f.replyTo === id);
}

describe('profile edits and avatars', () => {
  const clock = movableClock();
  const deletedBlobs: string[] = [];
  let blobStore: BlobStore | null = null;
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let dave: TestUser;

  beforeAll(async () => {
    host = await startTestHost({
      clock,
      // The host's own store, watched: which blobs the sweep deletes.
      blobStore: (db, config) => {
        const store = defaultBlobStore(db, config);
        blobStore = store;
        return {
          ...bind(store),
          delete: async (hash) => {
            await store.delete(hash);
            deletedBlobs.push(hash);
          },
        };
      },
      config: { attachments: { maxBytes: 512 * 1024, sweepIntervalSeconds: 1, unsentTtlSeconds: 60 } },
    });
    [ada, bob, dave] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    await host.createGroup(ada, [bob]);
  });
  afterAll(() => host?.stop());

  it('changes the display name and tells the user, their other devices and their conversations, not strangers', async () => {
    const [bobSocket, adaOther, daveSocket] = await Promise.all([
      host.connect(bob.token),
      host.connect(ada.token),
      host.connect(dave.token),
    ]);
    const res = await host.http('PATCH', '/v1/me', { token: ada.token, body: { displayName: 'Ada L. 🚀' } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: ada.id, handle: ada.handle, displayName: 'Ada L. 🚀', avatarUrl: null });
    expect((await host.http('GET', `/v1/users/${ada.id}`, { token: dave.token })).body.displayName).toBe('Ada L. 🚀');

    const told = await bobSocket.next((f) => f.type === 'user.updated');
    expect(told).toEqual({ type: 'user.updated', user: res.body });
    expect((await adaOther.next((f) => f.type === 'user.updated')).user).toEqual(res.body);
    // One fan-out writes to every recipient at once: once bob has it, dave would have had it before his pong.
    await drained(daveSocket);
    expect(daveSocket.ofType('user.updated')).toEqual([]);
  });

  it('refuses a display name registration would refuse', async () => {
    for (const displayName of ['', '   ', 'x'.repeat(65), 42]) {
      const res = await host.http('PATCH', '/v1/me', { token: ada.token, body: { displayName } });
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('invalid_request');
    }
    const extra = await host.http('PATCH', '/v1/me', { token: ada.token, body: { displayName: 'A', handle: 'x' } });
    expect([extra.status, extra.body.error.code]).toEqual([400, 'invalid_request']);
    expect((await host.http('PATCH', '/v1/me', { body: { displayName: 'A' } })).status).toBe(401);
    // 64 emoji are 64 characters.
    const long = await host.http('PATCH', '/v1/me', { token: bob.token, body: { displayName: '😀'.repeat(64) } });
    expect(long.status).toBe(200);
  });

  it('announces an operator rename the same way', async () => {
    const adaSocket = await host.connect(ada.token);
    const res = await host.http('PATCH', `/v1/admin/users/${bob.id}`, {
      token: 'admin',
      body: { displayName: 'Robert' },
    });
    expect(res.status).toBe(200);
    // The earlier test's rename of Bob may still be on its way to this new socket: wait for this one.
    const told = await adaSocket.next(
      (f) => f.type === 'user.updated' && f.user.id === bob.id && f.user.displayName === 'Robert',
    );
    expect(told.user).toMatchObject({ id: bob.id, handle: bob.handle, displayName: 'Robert' });
  });

  it('sets an avatar: a square WebP, served by hash without a token and cached for ever', async () => {
    const bobSocket = await host.connect(bob.token);
    const res = await putAvatar(host, ada, await cameraJpeg(300, 120), 'image/jpeg');
    expect(res.status).toBe(200);
    expect(res.body.avatarUrl).toMatch(/^\/v1\/avatars\/[0-9a-f]{64}$/);
    expect((await bobSocket.next((f) => f.type === 'user.updated')).user.avatarUrl).toBe(res.body.avatarUrl);
    expect((await host.http('GET', '/v1/me', { token: ada.token })).body.avatarUrl).toBe(res.body.avatarUrl);

    const file = await fetchFile(host, res.body.avatarUrl);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toBe('image/webp');
    expect(file.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    const hash = res.body.avatarUrl.split('/').at(-1);
    expect(createHash('sha256').update(file.bytes).digest('hex')).toBe(hash);
    const meta = await sharp(file.bytes).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['webp', 256, 256, undefined]);
    const again = await fetchFile(host, res.body.avatarUrl, { 'if-none-match': `"${hash}"` });
    expect(again.status).toBe(304);

    // The same picture again is the same content, so the same URL.
    expect((await putAvatar(host, ada, await cameraJpeg(300, 120))).body.avatarUrl).toBe(res.body.avatarUrl);
  });

  it('removes the avatar: the old URL stops answering', async () => {
    const set = await putAvatar(host, dave, await plainPng(64, 64));
    expect(set.status).toBe(200);
    const removed = await host.http('DELETE', '/v1/me/avatar', { token: dave.token });
    expect(removed.status).toBe(200);
    expect(removed.body.avatarUrl).toBeNull();
    const gone = await fetchFile(host, set.body.avatarUrl);
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe('avatar_not_found');
  });

  it('refuses what is not a decodable image of a sane size, with the upload codes', async () => {
    const cases: [Buffer | string, number, string][] = [
      ['just some text', 415, 'attachment_type_not_allowed'],
      [pngBomb(20_000), 413, 'attachment_image_too_large'],
      [await truncatedJpeg(), 415, 'attachment_invalid_image'],
      [Buffer.alloc(600 * 1024, 1), 413, 'attachment_too_large'],
    ];
    for (const [bytes, status, code] of cases) {
      const res = await putAvatar(host, bob, bytes);
      expect([res.status, res.body.error.code]).toEqual([status, code]);
    }
    const lie = await putAvatar(host, bob, await plainPng(8, 8), 'image/jpeg');
    expect(lie.body.error.code).toBe('attachment_type_mismatch');
    expect((await host.http('GET', '/v1/me', { token: bob.token })).body.avatarUrl).toBeNull();
  });

  it('never serves another file by its hash, and refuses malformed hashes', async () => {
    const png = await plainPng(40, 40);
    const attachment = await uploaded(host, bob, png, 'secret.png');
    expect(attachment.size).toBe(png.length);
    const hash = createHash('sha256').update(png).digest('hex');
    for (const path of [`/v1/avatars/${hash}`, '/v1/avatars/..%2F..%2Fetc', '/v1/avatars/ABC']) {
      const res = await fetchFile(host, path);
      expect([res.status, res.json.error.code]).toEqual([404, 'avatar_not_found']);
    }
  });

  it("keeps an avatar's bytes through the attachment sweep while a user has it, and lets them go after", async () => {
    const avatarPng = await plainPng(32, 32);
    const avatarUrl = (await putAvatar(host, bob, avatarPng)).body.avatarUrl as string;
    const avatarHash = avatarUrl.split('/').at(-1)!;
    const unsentPng = await plainPng(33, 33);
    await uploaded(host, bob, unsentPng, 'never-sent.png');
    const unsentHash = createHash('sha256').update(unsentPng).digest('hex');

    // Past the unsent TTL and the blob grace for both: one pass deletes the upload, then every
    // unreferenced blob. The avatar's was as old as the upload's, so only its reference kept it.
    clock.advance(2 * 60 * 60 * 1000);
    await eventually(() => deletedBlobs.includes(unsentHash), { what: 'the sweep to delete the unsent upload' });
    expect(deletedBlobs).not.toContain(avatarHash);
    expect(await blobStore!.stat(avatarHash)).not.toBeNull();
    expect((await fetchFile(host, avatarUrl)).status).toBe(200);

    await host.http('DELETE', '/v1/me/avatar', { token: bob.token });
    clock.advance(2 * 60 * 60 * 1000);
    await eventually(() => deletedBlobs.includes(avatarHash), { what: 'the sweep to delete the old avatar' });
    expect(await blobStore!.stat(avatarHash)).toBeNull();
  });
});
