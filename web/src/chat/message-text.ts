import type { MessageContent } from '../../../sdk/protocol/message.js';

/** The text of a text message; null for structured content (whose type may be any string but 'text'). */
export function plainText(content: MessageContent | null): string | null {
  return content && content.type === 'text' && 'text' in content && typeof content.text === 'string'
    ? content.text
    : null;
}
