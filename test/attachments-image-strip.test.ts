/**
 * An upright photo's metadata is cut out without re-encoding it: its pixels come back exactly,
 * and nothing that could place or name its author is left (issue 16, "location metadata stripped").
 */
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { processImage } from '../host/attachments/image-processing.js';
import { stripJpegMetadata, stripPngMetadata } from '../host/attachments/image-strip.js';
import { exifHasGps, plainPng, pngWithMetadata, uprightCameraJpeg } from './support/image-fixtures.js';

const limits = { maxPixels: 40_000_000 };
const pixels = (bytes: Buffer) => sharp(bytes).raw().toBuffer();

describe('lossless metadata removal', () => {
  for (const progressive of [false, true]) {
    it(`keeps an upright ${progressive ? 'progressive' : 'baseline'} JPEG's pixels and colour profile, and drops EXIF, XMP, comments and trailing pictures`, async () => {
      const upload = await uprightCameraJpeg(progressive);
      const before = await sharp(upload).metadata();
      expect(exifHasGps(before.exif)).toBe(true);
      expect(before.xmp).toBeDefined();
      expect(before.orientation ?? 1).toBe(1);

      const image = await processImage(upload, 'image/jpeg', limits);
      expect(image).toMatchObject({ mimeType: 'image/jpeg', width: 120, height: 80, original: false });
      const after = await sharp(image.bytes).metadata();
      expect([after.exif, after.xmp, after.iptc, after.comments]).toEqual([undefined, undefined, undefined, undefined]);
      expect(after.icc).toBeDefined();
      expect(after.isProgressive).toBe(progressive);
      // Lossless: the very same decoded pixels, and nothing of the author's text or the preview left in the bytes.
      expect((await pixels(image.bytes)).equals(await pixels(upload))).toBe(true);
      expect(image.bytes.includes('Rue de Rivoli')).toBe(false);
      expect(image.bytes.includes('Exif\0')).toBe(false);
      expect(image.bytes.length).toBeLessThan(upload.length);
      expect(image.bytes.readUInt16BE(image.bytes.length - 2)).toBe(0xffd9);
    });
  }

  it("keeps a PNG's pixels and drops its eXIf and text chunks", async () => {
    const upload = await pngWithMetadata();
    const before = await sharp(upload).metadata();
    expect(exifHasGps(before.exif)).toBe(true);
    expect(before.comments?.length).toBe(1);

    const image = await processImage(upload, 'image/png', limits);
    expect(image).toMatchObject({ mimeType: 'image/png', width: 40, height: 30, original: false });
    const after = await sharp(image.bytes).metadata();
    expect([after.exif, after.comments]).toEqual([undefined, undefined]);
    expect((await pixels(image.bytes)).equals(await pixels(upload))).toBe(true);
    expect(image.bytes.includes('Rue de Rivoli')).toBe(false);
  });

  it('gives up, for the re-encode to handle, on what it cannot walk', async () => {
    const jpeg = await uprightCameraJpeg();
    expect(stripJpegMetadata(jpeg.subarray(0, jpeg.length / 2))).toBeNull();
    expect(stripJpegMetadata(Buffer.from('not a jpeg'))).toBeNull();
    const png = await plainPng(10, 10);
    expect(stripPngMetadata(png.subarray(0, png.length - 6))).toBeNull();
    expect(stripPngMetadata(png)!.equals(png)).toBe(true);
  });
});
