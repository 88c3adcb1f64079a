import sharp from 'sharp';
import { decodeFailure, readHeader, readOptions, type ImageLimits } from './image-decode.js';
import { imageGate } from './image-gate.js';
import type { ImageVersion } from './image-processing.js';

/** Avatars are stored at one size: clients scale them down, and a fixed size makes them cheap to cache. */
export const AVATAR_SIZE = 256;

/**
 * An avatar from an uploaded image: turned by its EXIF orientation, cropped to a square around
 * its most interesting part, AVATAR_SIZE pixels a side (small images are scaled up), WebP with no
 * metadata. An animation gives its first frame. The same refusals as processImage.
 */
export function processAvatar(bytes: Uint8Array, limits: ImageLimits): Promise<ImageVersion> {
  return imageGate.run(async () => {
    await readHeader(bytes, limits, false);
    try {
      const { data, info } = await sharp(bytes, readOptions(limits, { autoOrient: true }))
        .resize(AVATAR_SIZE, AVATAR_SIZE, { fit: 'cover', position: 'attention' })
        .webp({ quality: 85 })
        .toBuffer({ resolveWithObject: true });
      return { bytes: data, mimeType: 'image/webp', width: info.width, height: info.height };
    } catch (err) {
      throw decodeFailure(err);
    }
  });
}
