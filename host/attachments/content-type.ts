import { fileTypeFromBuffer, supportedMimeTypes } from 'file-type';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { mp4IsAudioOnly } from './mp4-tracks.js';
import { webmIsAudioOnly } from './webm-tracks.js';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * An upload's type, from its content alone: the magic numbers file-type knows, else text/plain
 * for valid UTF-8 without U+0000, else application/octet-stream. The name and the request's
 * Content-Type never decide it: a page named "cat.png" is text/plain, served as text.
 */
export async function sniffType(bytes: Uint8Array): Promise<string> {
  const found = await fileTypeFromBuffer(bytes);
  if (found) return mediaType(found.mime, bytes);
  return isPlainText(bytes) ? 'text/plain' : 'application/octet-stream';
}

/**
 * sniffType for an upload read as it arrives: the magic numbers from its first bytes (`head`,
 * which is all file-type looks at), text/plain while `text` (fed everything so far) still holds.
 * The rest of a text upload goes on through `text`: once it ends, `text.end()` says whether the
 * type stands or the upload is application/octet-stream after all.
 */
export async function sniffHead(head: Uint8Array, text: TextCheck): Promise<string> {
  const found = await fileTypeFromBuffer(head);
  if (found) return mediaType(found.mime, head);
  return text.plain ? 'text/plain' : 'application/octet-stream';
}

/**
 * Containers file-type names video whatever they hold, with how to tell one whose tracks are all
 * audio (a recorded voice message: WebM from Chromium and Firefox, MP4 from Safari) and its type then.
 */
const AUDIO_ONLY: ReadonlyMap<string, { isAudioOnly: (bytes: Uint8Array) => boolean | null; type: string }> = new Map([
  ['video/webm', { isAudioOnly: webmIsAudioOnly, type: 'audio/webm' }],
  ['video/mp4', { isAudioOnly: mp4IsAudioOnly, type: 'audio/mp4' }],
]);

/**
 * file-type's answer as the type stored: the bare type, without the parameters it adds to some
 * ("audio/ogg; codecs=opus" is audio/ogg, as `attachments.allowedTypes` and the claims name it),
 * and a WebM or MP4 whose tracks are all audio audio/webm or audio/mp4, not video.
 */
function mediaType(mime: string, bytes: Uint8Array): string {
  const type = mime.split(';')[0]!.trim();
  const audio = AUDIO_ONLY.get(type);
  return audio?.isAudioOnly(bytes) === true ? audio.type : type;
}

/** isPlainText over bytes that come in pieces: a character may span two of them. */
export class TextCheck {
  private readonly decoder = new TextDecoder('utf-8', { fatal: true });
  private ok = true;

  /** False once the bytes so far are not text; a character cut at the end still counts as text. */
  get plain(): boolean {
    return this.ok;
  }

  feed(chunk: Uint8Array): void {
    if (!this.ok) return;
    if (chunk.includes(0)) this.ok = false;
    else this.ok = this.decodes(chunk, true);
  }

  /** Whether the whole upload was text: no character left cut at its end. */
  end(): boolean {
    if (this.ok) this.ok = this.decodes(new Uint8Array(0), false);
    return this.ok;
  }

  private decodes(chunk: Uint8Array, stream: boolean): boolean {
    try {
      this.decoder.decode(chunk, { stream });
      return true;
    } catch {
      // Not UTF-8: binary content, which is what the answer says.
      return false;
    }
  }
}

function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.includes(0)) return false;
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    // Not UTF-8: binary content, which is what the answer says.
    return false;
  }
}

/** Names clients commonly send for a type file-type names otherwise. */
const ALIASES: Readonly<Record<string, string>> = {
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
  'audio/mp3': 'audio/mpeg',
  'audio/x-wav': 'audio/wav',
  'audio/wave': 'audio/wav',
  'audio/x-flac': 'audio/flac',
};

/**
 * The request's Content-Type is a claim to check, not a type to store. It fits the content when
 * it is absent or generic (application/octet-stream), names the sniffed type, is any text type
 * for text, names the same kind of media for audio and video (one MP4 container carries either),
 * or names a type sniffing cannot recognise for content it could not recognise either.
 * `claimPath` is where the claim was made, for the error's details: a plugin's is its `type`.
 */
export function assertDeclaredType(
  declared: string | undefined,
  sniffed: string,
  claimPath = '/headers/content-type',
): void {
  const type = declared?.split(';')[0]!.trim().toLowerCase() ?? '';
  if (type === '' || type === 'application/octet-stream') return;
  const claimed = ALIASES[type] ?? type;
  if (claimed === sniffed) return;
  if (sniffed === 'text/plain' && (claimed.startsWith('text/') || isTextLike(claimed))) return;
  if (isMedia(sniffed) && isMedia(claimed)) return;
  if (sniffed === 'application/octet-stream' && !supportedMimeTypes.has(claimed) && !claimed.startsWith('text/'))
    return;
  throw new SwitchboardError(
    'attachment_type_mismatch',
    // Worded for both claims: a client's Content-Type header and a plugin's `type` argument.
    `The declared type ${claimed.slice(0, 100)} does not match the content (${sniffed}).`,
    { details: [{ path: claimPath, message: `does not match the content (${sniffed})` }] },
  );
}

const isMedia = (type: string) => type.startsWith('audio/') || type.startsWith('video/');
const isTextLike = (type: string) => /^application\/([a-z0-9.+-]+\+)?(json|xml|javascript|yaml|x-yaml)$/.test(type);

/** `attachments.allowedTypes`: exact types and `major/*`; empty allows every type. */
export function assertAllowedType(allowed: readonly string[], type: string): void {
  if (allowed.length === 0) return;
  const major = `${type.split('/')[0]}/*`;
  if (allowed.includes(type) || allowed.includes(major)) return;
  throw new SwitchboardError('attachment_type_not_allowed', `This host does not take ${type} uploads.`);
}
