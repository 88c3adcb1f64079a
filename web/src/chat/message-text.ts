import { stripFormatting } from '../../../sdk/client/index.js';
import type { Message, MessageContent } from '../../../sdk/protocol/message.js';

/** The text of a text message; null for structured content (whose type may be any string but 'text'). */
export function plainText(content: MessageContent | null): string | null {
  return content && content.type === 'text' && 'text' in content && typeof content.text === 'string'
    ? content.text
    : null;
}

/**
 * The text of a text message as a line of plain text shows it (a preview, a reply's quote): the
 * words without their formatting markers, read as the message itself is (its mentions kept whole).
 */
export function unformattedText(message: Pick<Message, 'content' | 'entities'>): string | null {
  const text = plainText(message.content);
  return text === null ? null : stripFormatting(text, message.entities ?? []);
}
