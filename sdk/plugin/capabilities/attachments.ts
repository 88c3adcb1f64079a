/** The attachments capability: files in the plugin bot's conversations. Part of PluginContext (../plugin-context.ts). */
import type { Attachment } from '../../protocol/message.js';

/**
 * Bytes per call, each way. Bytes cross as base64 text, the one form a sandboxed app's boundary
 * carries (JSON, at most 1 MiB of text a call): 512 KiB is 699,052 characters of base64. A larger
 * file is read in parts (`offset`, `length`); an upload is at most this.
 */
export const ATTACHMENT_BYTES_PER_CALL = 512 * 1024;

/**
 * What one read gives unless `length` says otherwise: the largest multiple of 3 within a call, so
 * the base64 of consecutive parts has no padding inside and joins into the base64 of the whole.
 */
export const ATTACHMENT_READ_PART = ATTACHMENT_BYTES_PER_CALL - (ATTACHMENT_BYTES_PER_CALL % 3);

export interface AttachmentUpload {
  /** The file name people see (1-255 characters once cleaned); never used to decide the type. */
  name: string;
  /** The bytes, base64 (standard alphabet, padded), at most ATTACHMENT_BYTES_PER_CALL once decoded. */
  data: string;
  /** A claim checked against the content, as a client's Content-Type is; the type stored is sniffed. */
  type?: string;
}

export interface AttachmentReadOptions {
  /** The first byte to read (0 unless given). */
  offset?: number;
  /** How many bytes at most (ATTACHMENT_READ_PART unless given; never more than ATTACHMENT_BYTES_PER_CALL). */
  length?: number;
  /** Read the image's WebP preview instead (only when `hasThumbnail`). */
  thumbnail?: boolean;
}

export interface AttachmentRead {
  readonly attachment: Attachment;
  /** The bytes read, base64. */
  readonly data: string;
  /** Where they start in the file, how many there are, and the whole file's size (the preview's, for a thumbnail). */
  readonly offset: number;
  readonly length: number;
  readonly size: number;
}

/**
 * Files go out as the plugin bot's own uploads (the type sniffed from the content, images turned
 * upright and stripped of their metadata, the bot's storage quota), then into a message with
 * `messages.send(conversationId, content, { attachmentIds })`. A file is readable by the bot once
 * sent in a conversation it belongs to, and its own uploads before that.
 */
export interface AttachmentsCapability {
  /** permission attachments.write. */
  upload(file: AttachmentUpload): Promise<Attachment>;
  /** permission attachments.read; `attachment_not_found` for a file the bot may not see, as for an unknown id. */
  read(attachmentId: string, options?: AttachmentReadOptions): Promise<AttachmentRead>;
}
