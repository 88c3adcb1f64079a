import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { processImage, THUMBNAIL_SIZE } from '../host/attachments/image-processing.js';
import { processAvatar, AVATAR_SIZE } from '../host/attachments/image-avatar.js';
import { ImageGate } from '../host/attachments/image-gate.js';
import { SwitchboardError } from '../sdk/errors/switchboard-error.js';
import { animatedGif, cameraJpeg, exifHasGps, plainPng, pngBomb, truncatedJpeg } from './support/image-fixtures.js';

const limits = { maxPixels: 40_000_000 };

async function refusal(work: Promise<unknown>): Promise<SwitchboardError> {
  const err = await work.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(SwitchboardError);
  return err as SwitchboardError;
}

describe('processImage (sharp, in the process image gate)', () => {
  it('turns a camera JPEG by its EXIF orientation and drops its metadata, GPS included', async () => {
    const upload = await cameraJpeg(64, 32);
    const before = await sharp(upload).metadata();
    expect([before.width, before.height, before.orientation]).toEqual([64, 32, 6]);
    expect(exifHasGps(before.exif)).toBe(true);

    const image = await processImage(upload, 'image/jpeg', limits);
    expect(image).toMatchObject({ mimeType: 'image/jpeg', width: 32, height: 64, original: false });
    const after = await sharp(image.bytes).metadata();
    expect([after.format, after.width, after.height]).toEqual(['jpeg', 32, 64]);
    expect(after.orientation).toBeUndefined();
    expect(after.exif).toBeUndefined();
    expect(after.xmp).toBeUndefined();
    expect(image.thumbnail).toMatchObject({ mimeType: 'image/webp', width: 32, height: 64 });
  });

  it('fits the thumbnail in 320x320 as WebP, never enlarged, and keeps a clean upload byte for byte', async () => {
    const upload = await plainPng(1600, 400);
    const image = await processImage(upload, 'image/png', limits);
    expect(image).toMatchObject({ mimeType: 'image/png', width: 1600, height: 400, original: true });
    expect(image.bytes.equals(upload)).toBe(true);
    expect(image.thumbnail).toMatchObject({ mimeType: 'image/webp', width: THUMBNAIL_SIZE, height: 80 });
    const thumb = await sharp(image.thumbnail.bytes).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', 320, 80]);

    const small = await processImage(await plainPng(40, 30), 'image/png', limits);
    expect(small.thumbnail).toMatchObject({ width: 40, height: 30 });
  });

  it('keeps every frame of an animated GIF; its thumbnail is the first frame', async () => {
    const gif = await animatedGif(24, 16, 3);
    const image = await processImage(gif, 'image/gif', limits);
    expect(image).toMatchObject({ mimeType: 'image/gif', width: 24, height: 16, original: true });
    expect((await sharp(image.bytes, { animated: true }).metadata()).pages).toBe(3);
    expect(image.thumbnail).toMatchObject({ width: 24, height: 16 });
  });

  it('refuses an image bomb from its header with attachment_image_too_large', async () => {
    const bomb = pngBomb(20_000);
    expect(bomb.length).toBeLessThan(100_000);
    const err = await refusal(processImage(bomb, 'image/png', limits));
    expect([err.code, err.status]).toEqual(['attachment_image_too_large', 413]);
    // Just over the limit is refused too; the limit is the operator's.
    const edge = await refusal(processImage(await plainPng(101, 100), 'image/png', { maxPixels: 10_000 }));
    expect(edge.code).toBe('attachment_image_too_large');
  });

  it('refuses a truncated JPEG, and bytes that are no image, with attachment_invalid_image', async () => {
    const truncated = await refusal(processImage(await truncatedJpeg(), 'image/jpeg', limits));
    expect([truncated.code, truncated.status]).toEqual(['attachment_invalid_image', 415]);
    expect(truncated.message).not.toMatch(/\n/);
    const garbage = await refusal(processImage(Buffer.from('GIF89a and then nothing useful'), 'image/gif', limits));
    expect(garbage.code).toBe('attachment_invalid_image');
  });

  it('makes a square WebP avatar, turned by its orientation', async () => {
    const avatar = await processAvatar(await cameraJpeg(300, 100), limits);
    expect(avatar).toMatchObject({ mimeType: 'image/webp', width: AVATAR_SIZE, height: AVATAR_SIZE });
    const meta = await sharp(avatar.bytes).metadata();
    expect([meta.format, meta.width, meta.height, meta.exif]).toEqual(['webp', AVATAR_SIZE, AVATAR_SIZE, undefined]);
    expect((await refusal(processAvatar(pngBomb(20_000), limits))).code).toBe('attachment_image_too_large');
  });
});

describe('ImageGate', () => {
  it('runs at most `running` at once, queues `waiting` more, and refuses past that with unavailable', async () => {
    const gate = new ImageGate(2, 1);
    const releases: (() => void)[] = [];
    let inside = 0;
    let most = 0;
    const job = () =>
      gate.run(async () => {
        most = Math.max(most, ++inside);
        await new Promise<void>((r) => releases.push(r));
        inside--;
      });
    const running = [job(), job(), job()];
    expect(gate.load).toEqual({ active: 2, waiting: 1 });
    const refused = await refusal(job());
    expect([refused.code, refused.retryAfterMs]).toEqual(['unavailable', 1_000]);
    while (releases.length > 0 || gate.load.active > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(running);
    expect(most).toBe(2);
    expect(gate.load).toEqual({ active: 0, waiting: 0 });
  });
});
