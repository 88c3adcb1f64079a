import sharp, { type Metadata, type SharpOptions } from 'sharp';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/** What the operator allows of an image (config `attachments.maxImagePixels`). */
export interface ImageLimits {
  /** Width × height, times the frames of an animation, above which an image is refused undecoded. */
  readonly maxPixels: number;
}

/**
 * sharp's options for every read of an upload: the pixel limit is sharp's own guard against a
 * decompression bomb (it refuses before allocating), and any decoder warning, such as a
 * truncated JPEG, fails the read instead of yielding a half-grey picture.
 */
export function readOptions(limits: ImageLimits, extra: SharpOptions = {}): SharpOptions {
  return { limitInputPixels: limits.maxPixels, failOn: 'warning', ...extra };
}

/**
 * The image's header, checked against the limits before any pixel is decoded. Only the header is
 * read here: the full decode (and so a truncated body) is caught by `decodeFailure` later.
 */
export async function readHeader(bytes: Uint8Array, limits: ImageLimits, animated: boolean): Promise<Metadata> {
  let meta: Metadata;
  try {
    meta = await sharp(bytes, readOptions(limits, { animated })).metadata();
  } catch (err) {
    throw decodeFailure(err);
  }
  const frames = animated ? (meta.pages ?? 1) : 1;
  const frameHeight = meta.pageHeight ?? meta.height;
  if (!meta.width || !frameHeight) throw invalidImage('it has no width or height');
  if (meta.width * frameHeight * frames > limits.maxPixels) throw tooLarge(limits);
  return meta;
}

/** The catalog error for something sharp threw while reading an upload. */
export function decodeFailure(err: unknown): SwitchboardError {
  if (err instanceof SwitchboardError) return err;
  const message = err instanceof Error ? err.message : String(err);
  // sharp's own wording for limitInputPixels; it has no code to match on.
  if (/pixel limit/i.test(message))
    return new SwitchboardError('attachment_image_too_large', undefined, { cause: err });
  return invalidImage(firstLine(message), err);
}

function tooLarge(limits: ImageLimits): SwitchboardError {
  return new SwitchboardError(
    'attachment_image_too_large',
    `The image has more than ${limits.maxPixels} pixels (attachments.maxImagePixels).`,
  );
}

function invalidImage(reason: string, cause?: unknown): SwitchboardError {
  return new SwitchboardError('attachment_invalid_image', `The image cannot be decoded: ${reason}.`, { cause });
}

/** sharp's messages carry libvips's call chain after the first line: the caller learns only the fault. */
function firstLine(message: string): string {
  return (message.split('\n')[0] ?? '').slice(0, 200);
}
