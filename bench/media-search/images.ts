/**
 * Upload payloads for `npm run bench -- media-search`: distinct images of about 1 MB, made with
 * sharp before the measured window. Each has its own pixels (a gradient under random noise, which
 * neither JPEG nor PNG compresses to nothing), so the host's content-addressed store never
 * deduplicates one upload against another and every upload pays for its decode and thumbnail.
 *
 * Three in four are JPEGs carrying EXIF (camera make and model), as a phone photo does: the
 * host strips that metadata, so it re-encodes them. The rest are PNGs without metadata, as a
 * screenshot is: the host keeps their bytes and only makes the thumbnail.
 */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';

export const IMAGE_TARGET_BYTES = 1_000_000;

export interface BenchImage {
  readonly bytes: Buffer;
  readonly mimeType: 'image/jpeg' | 'image/png';
  readonly name: string;
}

function pixels(side: number, seed: number): Buffer {
  const raw = randomBytes(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = (y * side + x) * 3;
      // Half noise, half a gradient that differs per image: compressible enough to look like a photo's grain.
      raw[i] = (raw[i]! >> 1) + ((x + seed) & 127);
      raw[i + 1] = (raw[i + 1]! >> 1) + ((y * 2 + seed) & 127);
      raw[i + 2] = (raw[i + 2]! >> 1) + (((x + y) >> 1) & 127);
    }
  }
  return raw;
}

async function encode(kind: BenchImage['mimeType'], side: number, seed: number): Promise<Buffer> {
  const image = sharp(pixels(side, seed), { raw: { width: side, height: side, channels: 3 } });
  if (kind === 'image/png') return image.png({ compressionLevel: 6 }).toBuffer();
  return image
    .jpeg({ quality: 92 })
    .withExif({ IFD0: { Make: 'Switchboard', Model: 'bench camera', Software: 'media-search bench' } })
    .toBuffer();
}

/** The side (pixels of a square) whose encoding is about IMAGE_TARGET_BYTES, for each kind. */
async function calibrate(kind: BenchImage['mimeType']): Promise<number> {
  let side = 600;
  for (let i = 0; i < 3; i++) {
    const size = (await encode(kind, side, i)).length;
    side = Math.max(64, Math.round(side * Math.sqrt(IMAGE_TARGET_BYTES / size)));
  }
  return side;
}

/** `count` distinct images; their total size is the sum of `bytes.length`. */
export async function makeImages(count: number): Promise<BenchImage[]> {
  const sides = { 'image/jpeg': await calibrate('image/jpeg'), 'image/png': await calibrate('image/png') };
  const out: BenchImage[] = [];
  for (let i = 0; i < count; i++) {
    const mimeType = i % 4 === 3 ? 'image/png' : 'image/jpeg';
    const bytes = await encode(mimeType, sides[mimeType], i);
    out.push({ bytes, mimeType, name: `photo-${i}.${mimeType === 'image/png' ? 'png' : 'jpg'}` });
  }
  return out;
}
