import type { Attachment, Message } from '../../../sdk/protocol/message.js';
import { opensInViewer } from '../attachments/image-gallery';

/** Deleted, a message shows neither its words nor its files. */
export function isDeleted(message: Message): boolean {
  return message.deletedAt !== null || message.content === null;
}

/**
 * The images a list of messages shows, in its order (those of one message in theirs): what the
 * image viewer steps through from one of them. Files, audio and video are not among them.
 */
export function shownImages(messages: readonly Message[]): Attachment[] {
  return messages.flatMap((m) => (isDeleted(m) ? [] : (m.attachments ?? []).filter(opensInViewer)));
}
