import sharp, { type Metadata, type Sharp } from 'sharp';
import { decodeFailure, readHeader, readOptions, type ImageLimits } from './image-decode.js';
import { imageGate } from './image-gate.js';
import { stripMetadata } from './image-strip.js';

export type { ImageLimits } from './image-decode.js';

/** One rendition of an image. */
export interface ImageVersion {
  readonly bytes: Buffer;
  readonly mimeType: string;
  readonly width: number;
  readonly height: number;
}

export interface ProcessedImage extends ImageVersion {
  /**
   * True when `bytes` are the upload's own: it had no metadata to strip and no orientation to
   * apply, so re-encoding would only have cost time and quality.
   */
  readonly original: boolean;
  /** The first frame, fitted in 320×320 (never enlarged), as WebP. */
  readonly thumbnail: ImageVersion & { readonly mimeType: 'image/webp' };
}

export const THUMBNAIL_SIZE = 320;

/** The sniffed types processImage takes; any other file is stored as it came. */
export const PROCESSED_IMAGE_TYPES: ReadonlySet<string> = new Set([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'image/avif',
  'image/heic',
  'image/heif',
  'image/tiff',
]);

export function isProcessedImage(mimeType: string): boolean {
  return PROCESSED_IMAGE_TYPES.has(mimeType);
}

/** Types kept in their own format; the rest (TIFF, HEIC) become JPEG, or PNG when they have alpha. */
const KEPT_FORMATS: Readonly<Record<string, string>> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** sharp names AVIF and HEIC both "heif"; only the compression tells them apart. */
function keptTypeOf(meta: Metadata): string | undefined {
  if (meta.format === 'heif') return meta.compression === 'av1' ? 'image/avif' : undefined;
  return KEPT_FORMATS[meta.format];
}

/**
 * Makes an uploaded image safe to share and cheap to preview: the EXIF orientation applied to the
 * pixels (so width and height are as the image is seen), every piece of metadata dropped (EXIF
 * with its GPS position, XMP, IPTC, comments), and a WebP thumbnail. Animations (GIF, WebP) keep
 * all their frames; their thumbnail is the first frame. `mimeType` is the sniffed type.
 *
 * Refuses with `attachment_image_too_large` (413) past `limits.maxPixels`, before decoding, and
 * with `attachment_invalid_image` (415) what sharp cannot decode whole (a truncated file, HEIC
 * on builds without an HEVC decoder). Runs through the process's image gate.
 */
export function processImage(bytes: Uint8Array, mimeType: string, limits: ImageLimits): Promise<ProcessedImage> {
  return imageGate.run(async () => {
    const animatable = mimeType === 'image/gif' || mimeType === 'image/webp';
    const meta = await readHeader(bytes, limits, animatable);
    const animated = (meta.pages ?? 1) > 1;
    const thumbnail = await renderThumbnail(bytes, limits);
    const keptType = keptTypeOf(meta);
    if (keptType && !needsRotation(meta)) {
      const height = animated ? (meta.pageHeight ?? meta.height) : meta.height;
      const kept = { mimeType: keptType, width: meta.width, height, thumbnail };
      if (!carriesMetadata(meta)) return { ...kept, bytes: Buffer.from(bytes), original: true };
      const stripped = await strippedLosslessly(bytes, keptType, limits);
      if (stripped) return { ...kept, bytes: stripped, original: false };
    }
    const main = await encode(sharp(bytes, readOptions(limits, { animated, autoOrient: !animated })), meta, keptType);
    return { ...main, original: false, thumbnail };
  });
}

/**
 * The upload with its metadata cut out and its pixels untouched (image-strip.ts), once a fresh
 * read of the result confirms nothing is left; null sends the image to be re-encoded instead.
 */
async function strippedLosslessly(bytes: Uint8Array, mimeType: string, limits: ImageLimits): Promise<Buffer | null> {
  const stripped = stripMetadata(bytes, mimeType);
  if (!stripped) return null;
  const meta = await sharp(stripped, readOptions(limits))
    .metadata()
    // Unreadable once stripped: no worse than before; null sends it to the re-encode, which decides.
    .catch(() => null);
  return meta && !carriesMetadata(meta) && !needsRotation(meta) ? stripped : null;
}

/** An orientation other than 1 (as stored) means the pixels must be turned. */
function needsRotation(meta: Metadata): boolean {
  return meta.orientation !== undefined && meta.orientation !== 1;
}

/** Anything beyond pixels and colour profile: where cameras and editors put location and names. */
function carriesMetadata(meta: Metadata): boolean {
  return Boolean(meta.exif || meta.xmp || meta.iptc || meta.tifftagPhotoshop || meta.comments?.length);
}

/** Without keepMetadata/withMetadata, sharp writes no EXIF, XMP or IPTC: that is the strip. */
async function encode(image: Sharp, meta: Metadata, keptType: string | undefined): Promise<ImageVersion> {
  const mimeType = keptType ?? (meta.hasAlpha ? 'image/png' : 'image/jpeg');
  if (mimeType === 'image/jpeg') image.jpeg({ quality: 90 });
  else if (mimeType === 'image/png') image.png();
  else if (mimeType === 'image/webp') image.webp({ quality: 90 });
  else if (mimeType === 'image/avif') image.avif({ quality: 70 });
  else image.gif();
  const { data, info } = await image.toBuffer({ resolveWithObject: true }).catch((err: unknown) => {
    throw decodeFailure(err);
  });
  return { bytes: data, mimeType, width: info.width, height: info.pageHeight ?? info.height };
}

/** Decodes the whole image (shrinking on load where the format allows), so a truncated file fails here. */
async function renderThumbnail(bytes: Uint8Array, limits: ImageLimits): Promise<ProcessedImage['thumbnail']> {
  try {
    const { data, info } = await sharp(bytes, readOptions(limits, { autoOrient: true }))
      // Mitchell rather than sharp's Lanczos: softer by a little at this size, and it does not sharpen
      // a photo's grain, which WebP then spends bytes on (a fifth smaller here, and faster).
      .resize(THUMBNAIL_SIZE, THUMBNAIL_SIZE, { fit: 'inside', withoutEnlargement: true, kernel: 'mitchell' })
      // effort 0 of 6: the least CPU, for a thumbnail a few percent larger than at the default.
      .webp({ quality: 75, effort: 0 })
      .toBuffer({ resolveWithObject: true });
    return { bytes: data, mimeType: 'image/webp', width: info.width, height: info.height };
  } catch (err) {
    throw decodeFailure(err);
  }
}
