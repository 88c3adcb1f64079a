import type { Message } from '../../sdk/protocol/message.js';
import type { PushPayload, PushReason } from '../../sdk/protocol/push.js';
import { stripFormatting } from '../../sdk/protocol/text-formatting.js';

export type { PushPayload, PushReason };

export const PREVIEW_CHARS = 120;
const TITLE_CHARS = 120;

/** At most `max` characters (code points, so no emoji is cut in half), with "…" when cut. */
export function shorten(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  const points = [...flat];
  return points.length <= max ? flat : `${points.slice(0, max - 1).join('')}…`;
}

/**
 * A text message's first characters, without its formatting's markers (as the clients' own
 * previews show it); a structured one (a card, a payment) gets a generic line.
 */
export function previewOf(message: Message): string {
  const content = message.content;
  if (content?.type === 'text' && 'text' in content)
    return shorten(stripFormatting(content.text, message.entities), PREVIEW_CHARS);
  if (message.attachments.length > 0) return 'Sent an attachment';
  return 'Sent a message';
}

export function conversationUrl(conversationId: string): string {
  return `/c/${encodeURIComponent(conversationId)}`;
}

/** The payload about a message: "<sender>" in a direct conversation, "<sender> · <group>" in a group. */
export function messagePayload(
  message: Message,
  reason: PushReason,
  senderName: string,
  groupTitle: string | null,
): PushPayload {
  const who = reason === 'mention' ? `${senderName} mentioned you` : senderName;
  return {
    type: reason,
    conversationId: message.conversationId,
    messageId: message.id,
    title: shorten(groupTitle === null ? who : `${who} · ${groupTitle}`, TITLE_CHARS),
    body: previewOf(message),
    url: conversationUrl(message.conversationId),
  };
}
