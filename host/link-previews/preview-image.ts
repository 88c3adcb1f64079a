import sharp from 'sharp';
import type { LinkPreviewImage } from '../../sdk/protocol/link-preview.js';
import { readHeader, readOptions, type ImageLimits } from '../attachments/image-decode.js';
import { imageGate } from '../attachments/image-gate.js';
import type { HostPattern } from '../outbound/host-patterns.js';
import { fetchResource } from './fetch-resource.js';

/** The largest side of a preview's picture, in pixels: a card shows it small. */
export const THUMBNAIL_MAX = 400;
const MAX_IMAGE_BYTES = 5 * 1024 * 1024;
/** The picture's bytes at most, so the data: URL in the answer (and the cache) stays small. */
const MAX_THUMBNAIL_BYTES = 96 * 1024;
/** Raster formats only: an SVG is a document (scripts, references to other files), not a picture. */
const FORMATS: ReadonlySet<string> = new Set(['jpeg', 'png', 'webp', 'gif', 'heif']);

/**
 * A page's `og:image` as a small WebP data: URL, or null when there is none to be had: fetched under
 * the page's own rules (5 MiB, image types only), its header checked against the pixel limit
 * before any pixel is decoded (an image bomb costs nothing), then decoded through the process's
 * image gate, first frame only, fitted in THUMBNAIL_MAX² and never enlarged. A picture that fails
 * leaves the preview without one; it never fails the preview.
 */
export async function previewImage(
  url: URL,
  rules: { allowHosts: readonly HostPattern[]; timeoutMs: number },
  limits: ImageLimits,
): Promise<LinkPreviewImage | null> {
  const chunks: Buffer[] = [];
  try {
    await fetchResource(
      url,
      {
        ...rules,
        maxRedirects: 3,
        maxBytes: MAX_IMAGE_BYTES,
        overflow: 'refuse',
        accept: 'image/webp,image/avif,image/png,image/jpeg,image/gif;q=0.9,image/*;q=0.5',
        takes: (type) => type.startsWith('image/') && type !== 'image/svg+xml',
        wanted: 'an image',
      },
      () => (chunk) => {
        chunks.push(chunk);
        return false;
      },
    );
    return await thumbnail(Buffer.concat(chunks), limits);
  } catch {
    // Unreachable, too large, a bomb, not decodable: the card goes without a picture.
    return null;
  }
}

function thumbnail(bytes: Buffer, limits: ImageLimits): Promise<LinkPreviewImage | null> {
  return imageGate.run(async () => {
    const meta = await readHeader(bytes, limits, false);
    // sharp names AVIF "heif"; HEIC (HEVC-coded) needs a decoder the bundled libvips lacks.
    if (!FORMATS.has(meta.format ?? '') || (meta.format === 'heif' && meta.compression !== 'av1')) return null;
    const { data, info } = await sharp(bytes, readOptions(limits, { autoOrient: true }))
      .resize(THUMBNAIL_MAX, THUMBNAIL_MAX, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 70 })
      .toBuffer({ resolveWithObject: true });
    if (data.length > MAX_THUMBNAIL_BYTES) return null;
    return { url: `data:image/webp;base64,${data.toString('base64')}`, width: info.width, height: info.height };
  });
}
