/** Wire types of the attachments API (docs/protocol.md, "Attachments"). */
import type { Attachment } from './message.js';

/**
 * An attachment as `POST /v1/attachments` and `GET /v1/attachments/:id` answer: the Attachment a
 * message carries, where it was sent, and short-lived URLs for its bytes. The URLs are relative to
 * the host, need no Authorization header (`<img src>` works) and stop working at `urlExpiresAt`;
 * fetch the attachment again for new ones.
 */
export interface AttachmentView extends Attachment {
  /** Both null until the attachment is sent. */
  readonly conversationId: string | null;
  readonly messageId: string | null;
  readonly createdAt: string;
  readonly url: string;
  /** Images only: a WebP preview at most 320 pixels a side. */
  readonly thumbnailUrl: string | null;
  readonly urlExpiresAt: string;
}
