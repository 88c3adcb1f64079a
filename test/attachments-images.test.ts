/**
 * Images through the real upload route: orientation applied, metadata (GPS) gone, a WebP
 * thumbnail, image bombs and truncated files refused with their catalog codes, and the host
 * serving other requests throughout.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { binaryBytes, fetchFile, upload, uploaded } from './support/attachment-helpers.js';
import { animatedGif, cameraJpeg, exifHasGps, plainPng, pngBomb, truncatedJpeg } from './support/image-fixtures.js';

/** Per user; the bomb test fills it up to show no refused bomb was counted. */
const QUOTA = 1_000_000;

describe('image uploads', () => {
  let host: TestHost;
  let alice: TestUser;

  beforeAll(async () => {
    host = await startTestHost({ config: { attachments: { maxImagePixels: 40_000_000, quotaBytes: QUOTA } } });
    alice = await host.createUser();
  });
  afterAll(() => host?.stop());

  it('turns a camera JPEG upright and strips its EXIF, GPS included, from the stored file', async () => {
    const photo = await cameraJpeg(64, 32);
    expect(exifHasGps((await sharp(photo).metadata()).exif)).toBe(true);

    const attachment = await uploaded(host, alice, photo, 'IMG_0001.jpg');
    expect(attachment).toMatchObject({ mimeType: 'image/jpeg', width: 32, height: 64, hasThumbnail: true });
    expect(attachment.size).not.toBe(photo.length);

    const file = await fetchFile(host, attachment.url);
    expect(file.status).toBe(200);
    expect(file.bytes.length).toBe(attachment.size);
    const stored = await sharp(file.bytes).metadata();
    expect([stored.format, stored.width, stored.height, stored.orientation]).toEqual(['jpeg', 32, 64, undefined]);
    expect(stored.exif).toBeUndefined();
    expect(stored.xmp).toBeUndefined();
  });

  it('makes a WebP thumbnail that fits 320x320 and is never enlarged', async () => {
    const wide = await uploaded(host, alice, await plainPng(1600, 400), 'wide.png');
    expect(wide).toMatchObject({ mimeType: 'image/png', width: 1600, height: 400 });
    const thumb = await fetchFile(host, wide.thumbnailUrl);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    const meta = await sharp(thumb.bytes).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['webp', 320, 80]);

    const tiny = await uploaded(host, alice, await plainPng(20, 10), 'tiny.png');
    const small = await sharp((await fetchFile(host, tiny.thumbnailUrl)).bytes).metadata();
    expect([small.width, small.height]).toEqual([20, 10]);
  });

  it('keeps an animated GIF animated, sized by one frame', async () => {
    const gif = await uploaded(host, alice, await animatedGif(30, 20, 4), 'dance.gif');
    expect(gif).toMatchObject({ mimeType: 'image/gif', width: 30, height: 20, hasThumbnail: true });
    const stored = await sharp((await fetchFile(host, gif.url)).bytes, { animated: true }).metadata();
    expect(stored.pages).toBe(4);
  });

  it('refuses an image bomb with 413 attachment_image_too_large, stores nothing, and keeps serving', async () => {
    const bob = await host.createUser();
    const bomb = pngBomb(20_000);
    expect(bomb.length).toBeLessThan(100_000);
    // Several at once, while other requests go on.
    const [refusals, me] = await Promise.all([
      Promise.all([1, 2, 3, 4].map((i) => upload(host, bob, bomb, `bomb${i}.png`))),
      host.http('GET', '/v1/me', { token: bob.token }),
    ]);
    for (const res of refusals) {
      expect(res.status).toBe(413);
      expect(res.body.error.code).toBe('attachment_image_too_large');
    }
    expect(me.status).toBe(200);
    // Nothing was counted against bob: a file that fills his quota but for one bomb's bytes still fits.
    const filler = binaryBytes(QUOTA - bomb.length + 1);
    expect((await upload(host, bob, filler, 'filler.bin')).status).toBe(201);
    // The host is unharmed: the next image goes through.
    expect((await upload(host, alice, await plainPng(8, 8), 'after.png')).status).toBe(201);
  });

  it('refuses a truncated JPEG with 415 attachment_invalid_image', async () => {
    const res = await upload(host, alice, await truncatedJpeg(), 'cut.jpg');
    expect(res.status).toBe(415);
    expect(res.body.error.code).toBe('attachment_invalid_image');
    expect(res.body.error.message).toMatch(/cannot be decoded/);
  });
});
