import {
  ATTACHMENT_BYTES_PER_CALL,
  ATTACHMENT_READ_PART,
  type AttachmentsCapability,
} from '../../../sdk/plugin/capabilities/attachments.js';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { Attachment } from '../../../sdk/protocol/message.js';
import type { AttachmentView } from '../../../sdk/protocol/attachments.js';
import type { AttachmentService } from '../../attachments/attachment-service.js';
import type { CapabilityGuard } from './capability-guard.js';
import {
  base64ByteLength,
  MAX_UPLOAD_BASE64,
  uploadTooLarge,
} from '../../../sdk/plugin/capabilities/attachment-upload-bound.js';
import { optionsArg } from './options-arg.js';
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Files as the plugin's bot, through the service people's uploads and reads go through (type from
 * the content, image processing, quota, membership). Bytes are copied into and out of base64 text
 * here, so nothing of the host's buffers reaches the plugin, and no call moves more than
 * ATTACHMENT_BYTES_PER_CALL.
 */
export function attachmentsCapability(
  guard: CapabilityGuard,
  botId: string,
  attachments: AttachmentService,
): AttachmentsCapability {
  return {
    async upload(file) {
      guard.need('attachments.write');
      const { name, data, type } = (file ?? {}) as Partial<typeof file>;
      if (typeof name !== 'string') throw invalid('/0/name', 'must be a string');
      if (type !== undefined && typeof type !== 'string') throw invalid('/0/type', 'must be a string');
      const bytes = decodeBase64(data, '/0/data');
      const view = await guard.audited(
        'attachments',
        'upload',
        (a: AttachmentView) => a.id,
        () =>
          attachments.upload(botId, {
            bytes,
            name,
            ...(type === undefined ? {} : { declaredType: type, declaredTypePath: '/0/type' }),
          }),
      );
      return wireOf(view);
    },

    async read(attachmentId, given) {
      guard.need('attachments.read');
      const options = optionsArg(given, '/1');
      if (typeof attachmentId !== 'string' || attachmentId.length === 0 || attachmentId.length > 64)
        throw invalid('/0', 'must be an attachment id');
      const offset = wholeNumber(options.offset ?? 0, '/1/offset');
      const length = Math.min(
        wholeNumber(options.length ?? ATTACHMENT_READ_PART, '/1/length'),
        ATTACHMENT_BYTES_PER_CALL,
      );
      const variant = options.thumbnail === true ? 'thumbnail' : 'original';
      const { view, bytes, size } = await attachments.read(botId, attachmentId, variant, {
        start: offset,
        end: offset + length - 1,
      });
      return { attachment: wireOf(view), data: bytes.toString('base64'), offset, length: bytes.length, size };
    },
  };
}

/**
 * Ids for messages.send's `attachmentIds`, checked as the send frame's schema checks a client's:
 * the host's services expect that shape, and an app's arguments are not checked on the way in.
 */
export function pluginAttachmentIds(value: unknown): string[] {
  if (!Array.isArray(value) || value.length === 0 || value.length > 100)
    throw invalid('/2/attachmentIds', 'must be a list of 1 to 100 attachment ids');
  for (const [i, id] of value.entries()) {
    if (typeof id !== 'string' || id.length === 0 || id.length > 64)
      throw invalid(`/2/attachmentIds/${i}`, 'must be an attachment id');
  }
  if (new Set(value).size !== value.length) throw invalid('/2/attachmentIds', 'must not name an attachment twice');
  return [...(value as string[])];
}

/** The wire attachment, without the view's file URLs (a plugin reads bytes through `read`). */
function wireOf(view: AttachmentView): Attachment {
  const { id, name, mimeType, size, width, height, hasThumbnail } = view;
  return { id, name, mimeType, size, width, height, hasThumbnail };
}

function decodeBase64(data: unknown, path: string): Buffer {
  if (typeof data !== 'string') throw invalid(path, 'must be base64 text');
  if (data.length > MAX_UPLOAD_BASE64) throw uploadTooLarge(path);
  // Buffer.from skips characters that are not base64; the check makes a typo an error instead.
  if (!BASE64.test(data)) throw invalid(path, 'must be base64 (A-Z a-z 0-9 + /, padded with =)');
  // The longest text allowed above decodes to up to two bytes more than a call carries, unpadded.
  if (base64ByteLength(data) > ATTACHMENT_BYTES_PER_CALL) throw uploadTooLarge(path);
  return Buffer.from(data, 'base64');
}

function wholeNumber(value: unknown, path: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0)
    throw invalid(path, 'must be a whole number');
  return value;
}

function invalid(path: string, message: string): SwitchboardError {
  return new SwitchboardError('invalid_request', `${path} ${message}.`, { details: [{ path, message }] });
}
