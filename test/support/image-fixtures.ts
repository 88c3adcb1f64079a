import { deflateSync, crc32 } from 'node:zlib';
import sharp from 'sharp';

/** Images the attachment and avatar suites upload, made on the spot with sharp or by hand. */

/** A photo as a phone stores it: pixels landscape (w×h), EXIF orientation 6 (show turned 90°), a GPS position. */
export function cameraJpeg(width = 64, height = 32): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: '#c03030' } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .withExif({
      IFD0: { Make: 'Switchboard Test Camera' },
      // IFD3 is the GPS directory in sharp's naming.
      IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' },
    })
    .toBuffer();
}

/** An animated GIF of `frames` frames, each `width`×`height`, each another colour. */
export async function animatedGif(width: number, height: number, frames: number): Promise<Buffer> {
  const stills = await Promise.all(
    Array.from({ length: frames }, (_, i) =>
      sharp({ create: { width, height, channels: 3, background: { r: (i * 80) % 256, g: 160, b: 40 } } })
        .png()
        .toBuffer(),
    ),
  );
  return sharp(stills, { join: { animated: true } })
    .gif()
    .toBuffer();
}

/** A plain PNG with no metadata at all (sharp writes none unless asked). */
export function plainPng(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 4, background: { r: 0, g: 128, b: 255, alpha: 0.5 } } })
    .png()
    .toBuffer();
}

/** A noisy JPEG (so it is large enough to cut) with half its bytes gone: an interrupted copy. */
export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await sharp({
    create: {
      width: 400,
      height: 300,
      channels: 3,
      background: '#808080',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg()
    .toBuffer();
  return whole.subarray(0, Math.floor(whole.length / 2));
}

/**
 * An image bomb: a valid 1-bit PNG of `size`×`size` pixels whose rows are all zero, so deflate
 * packs 50 MB of pixel data (400 million pixels at 20,000) into some 50 KB. Built by hand:
 * sharp would have to hold the decoded image to write it.
 */
export function pngBomb(size = 20_000): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 1; // bit depth
  header[9] = 0; // greyscale
  const rows = Buffer.alloc((1 + Math.ceil(size / 8)) * size);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', deflateSync(rows, { level: 9 })),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * Whether an EXIF block (as sharp's metadata().exif gives it: "Exif\0\0" then a TIFF header) has
 * a GPS IFD: tag 0x8825 among the entries of IFD0.
 */
export function exifHasGps(exif: Buffer | undefined): boolean {
  if (!exif) return false;
  const tiff = exif.subarray(exif.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? 6 : 0);
  const little = tiff.subarray(0, 2).toString('latin1') === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd = u32(4);
  const entries = u16(ifd);
  for (let i = 0; i < entries; i++) if (u16(ifd + 2 + i * 12) === 0x8825) return true;
  return false;
}

const GPS = { GPSLatitudeRef: 'N', GPSLatitude: '48/1 51/1 24/1', GPSLongitudeRef: 'E', GPSLongitude: '2/1 21/1 3/1' };
const XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Ada"/></rdf:RDF></x:xmpmeta>';

/**
 * A photo stored upright (orientation 1), as most phones now save them, carrying everything that
 * must go: EXIF with GPS, XMP, a JPEG comment, and a second picture with its own EXIF after the
 * image's end (where cameras put MPF previews). Its ICC profile is colour, and stays. Noisy, so
 * a re-encode would change its pixels.
 */
export async function uprightCameraJpeg(progressive = false): Promise<Buffer> {
  const photo = await sharp({
    create: {
      width: 120,
      height: 80,
      channels: 3,
      background: '#806040',
      noise: { type: 'gaussian', mean: 100, sigma: 30 },
    },
  })
    .jpeg({ quality: 85, progressive })
    .withIccProfile('p3')
    .withExif({ IFD0: { Make: 'Switchboard Test Camera' }, IFD3: GPS })
    .withXmp(XMP)
    .toBuffer();
  const comment = Buffer.from('taken at 12 Rue de Rivoli');
  const com = Buffer.alloc(4);
  com.writeUInt16BE(0xfffe, 0);
  com.writeUInt16BE(comment.length + 2, 2);
  const preview = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#000' } })
    .jpeg()
    .withExif({ IFD3: GPS })
    .toBuffer();
  return Buffer.concat([photo.subarray(0, 2), com, comment, photo.subarray(2), preview]);
}

/** A screenshot-like PNG with an eXIf chunk (GPS) and a tEXt comment before its pixels. */
export async function pngWithMetadata(): Promise<Buffer> {
  const png = await sharp({
    create: {
      width: 40,
      height: 30,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 90, sigma: 40 },
    },
  })
    .png()
    .withExif({ IFD3: GPS })
    .toBuffer();
  const text = pngChunk('tEXt', Buffer.from('Comment\0taken at 12 Rue de Rivoli', 'latin1'));
  const afterHeader = 8 + 25; // the signature, then IHDR (12 + 13 bytes)
  return Buffer.concat([png.subarray(0, afterHeader), text, png.subarray(afterHeader)]);
}
