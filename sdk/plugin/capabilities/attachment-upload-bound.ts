/**
 * The bound on what one `attachments.upload` carries, shared by the host's capability and the
 * sandbox's guest runtime, so a too large upload is the same catalog error wherever it is caught.
 */
import { ATTACHMENT_BYTES_PER_CALL } from './attachments.js';
import { SwitchboardError } from '../../errors/switchboard-error.js';

/** Base64 text of ATTACHMENT_BYTES_PER_CALL bytes, padded: longer text is refused before it is read. */
export const MAX_UPLOAD_BASE64 = Math.ceil(ATTACHMENT_BYTES_PER_CALL / 3) * 4;

/** How many bytes well-formed, padded base64 text decodes to. */
export function base64ByteLength(text: string): number {
  const padding = text.endsWith('==') ? 2 : text.endsWith('=') ? 1 : 0;
  return (text.length / 4) * 3 - padding;
}

export function uploadTooLarge(path: string): SwitchboardError {
  return new SwitchboardError(
    'attachment_too_large',
    `A plugin uploads at most ${ATTACHMENT_BYTES_PER_CALL} bytes in one call.`,
    { details: [{ path, message: `decodes to more than ${ATTACHMENT_BYTES_PER_CALL} bytes` }] },
  );
}
