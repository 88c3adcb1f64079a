/**
 * Metadata removed from JPEG and PNG files without touching their pixels. A phone photo carries
 * EXIF (with its GPS position) but is usually stored upright (orientation 1): cutting the
 * metadata segments out is exact, costs microseconds, and keeps the photo's quality, where
 * decoding and re-encoding it cost most of an upload's time and a generation of JPEG loss.
 *
 * Both are allowlists: a segment or chunk is kept only when it is known to hold nothing but
 * what decoding needs (tables, pixels, colour). Anything unknown is dropped, and so is anything
 * after the image's end (where cameras append MPF preview images with their own EXIF). A file
 * this code cannot walk returns null, and the caller re-encodes it instead.
 */

const JPEG_SOI = 0xd8;
const JPEG_EOI = 0xd9;
const JPEG_SOS = 0xda;

/** APPn segments kept, by marker and the identifier their payload starts with. */
const KEPT_JPEG_APPS: readonly (readonly [number, string])[] = [
  [0xe0, 'JFIF\0'],
  [0xe2, 'ICC_PROFILE\0'],
  // Adobe's segment says how to read the colour channels (YCCK, CMYK): needed to decode.
  [0xee, 'Adobe'],
];

/** `bytes` without metadata, or null when they are not a JPEG this walk understands. */
export function stripJpegMetadata(bytes: Uint8Array): Buffer | null {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < 4 || data[0] !== 0xff || data[1] !== JPEG_SOI) return null;
  const kept: Buffer[] = [data.subarray(0, 2)];
  let pos = 2;
  while (pos < data.length) {
    if (data[pos] !== 0xff) return null;
    // Any number of 0xFF fill bytes may precede a marker.
    while (pos < data.length && data[pos] === 0xff) pos++;
    if (pos >= data.length) return null;
    const marker = data[pos]!;
    const start = pos - 1;
    pos++;
    if (marker === JPEG_EOI) {
      kept.push(data.subarray(start, pos));
      return Buffer.concat(kept);
    }
    if (isStandalone(marker)) {
      kept.push(data.subarray(start, pos));
      continue;
    }
    if (pos + 2 > data.length) return null;
    const end = pos + data.readUInt16BE(pos);
    if (end > data.length || end < pos + 2) return null;
    if (keepsSegment(marker, data.subarray(pos + 2, end))) kept.push(data.subarray(start, end));
    pos = end;
    if (marker === JPEG_SOS) {
      const scanEnd = entropyEnd(data, pos);
      if (scanEnd < 0) return null;
      kept.push(data.subarray(pos, scanEnd));
      pos = scanEnd;
    }
  }
  return null;
}

/** RSTn, TEM and SOI carry no length. */
function isStandalone(marker: number): boolean {
  return (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01 || marker === JPEG_SOI;
}

function keepsSegment(marker: number, payload: Buffer): boolean {
  const isApp = marker >= 0xe0 && marker <= 0xef;
  if (marker === 0xfe) return false;
  if (!isApp) return true;
  return KEPT_JPEG_APPS.some(([m, id]) => m === marker && payload.subarray(0, id.length).toString('latin1') === id);
}

/**
 * Where a scan's entropy-coded data ends: at the first marker other than a stuffed 0xFF00 or a
 * restart (RSTn), which belong to the data. -1 when the file ends first.
 */
function entropyEnd(data: Buffer, from: number): number {
  let pos = from;
  for (;;) {
    pos = data.indexOf(0xff, pos);
    if (pos < 0 || pos + 1 >= data.length) return -1;
    const next = data[pos + 1]!;
    if (next === 0x00 || next === 0xff || (next >= 0xd0 && next <= 0xd7)) {
      pos += next === 0xff ? 1 : 2;
      continue;
    }
    return pos;
  }
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

/**
 * PNG chunks kept: the critical ones, animation (APNG), transparency and colour. Text chunks,
 * eXIf, tIME and anything unknown go.
 */
const KEPT_PNG_CHUNKS: ReadonlySet<string> = new Set([
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'acTL',
  'fcTL',
  'fdAT',
  'tRNS',
  'gAMA',
  'cHRM',
  'sRGB',
  'iCCP',
  'sBIT',
  'cICP',
  'mDCV',
  'cLLI',
  'pHYs',
  'bKGD',
]);

/** `bytes` without metadata chunks, or null when they are not a PNG this walk understands. */
export function stripPngMetadata(bytes: Uint8Array): Buffer | null {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (data.length < PNG_SIGNATURE.length || !data.subarray(0, 8).equals(PNG_SIGNATURE)) return null;
  const kept: Buffer[] = [PNG_SIGNATURE];
  let pos = PNG_SIGNATURE.length;
  while (pos + 12 <= data.length) {
    const end = pos + 12 + data.readUInt32BE(pos);
    if (end > data.length) return null;
    const type = data.subarray(pos + 4, pos + 8).toString('latin1');
    if (KEPT_PNG_CHUNKS.has(type)) kept.push(data.subarray(pos, end));
    if (type === 'IEND') return Buffer.concat(kept);
    pos = end;
  }
  return null;
}

/** The lossless strip for a kept type, where there is one. */
export function stripMetadata(bytes: Uint8Array, mimeType: string): Buffer | null {
  if (mimeType === 'image/jpeg') return stripJpegMetadata(bytes);
  if (mimeType === 'image/png') return stripPngMetadata(bytes);
  return null;
}
