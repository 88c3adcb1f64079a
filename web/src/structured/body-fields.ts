import type { Message } from '../../../sdk/protocol/message.js';
import { safeHttpUrl } from './safe-url';

/**
 * Readers for a structured message's body. The host checks the bodies of the types it registered,
 * but this client also shows other plugins' types and older or newer versions of these: a field of
 * the wrong kind reads as absent instead of breaking the message list.
 */
export type Body = Record<string, unknown>;

/** What the view of a structured type gets: its body (an object), the message, and where it is. */
export interface MessageViewProps {
  body: Body;
  message: Message;
  conversationId: string;
}

export function isRecord(value: unknown): value is Body {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string field, else undefined. */
export function textOf(body: unknown, key: string): string | undefined {
  const value = isRecord(body) ? body[key] : undefined;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A whole-number field (an amount in minor units, a quantity), else undefined. */
export function integerOf(body: unknown, key: string): number | undefined {
  const value = isRecord(body) ? body[key] : undefined;
  return typeof value === 'number' && Number.isSafeInteger(value) ? value : undefined;
}

export function recordOf(body: unknown, key: string): Body | undefined {
  const value = isRecord(body) ? body[key] : undefined;
  return isRecord(value) ? value : undefined;
}

/** The objects of an array field (anything else in it is skipped). */
export function recordsOf(body: unknown, key: string): Body[] {
  const value = isRecord(body) ? body[key] : undefined;
  return Array.isArray(value) ? value.filter(isRecord) : [];
}

export type ButtonStyle = 'primary' | 'secondary' | 'danger';

/**
 * What a button or quick reply does: a postback (tapped back to the plugin by its id), a link (its
 * URL opens in a new tab), or nothing (a URL that is not http(s): shown, never followed).
 */
export type Action =
  | { kind: 'postback'; id: string; label: string; style?: ButtonStyle }
  | { kind: 'link'; label: string; url: string }
  | { kind: 'inert'; label: string };

const STYLES: readonly string[] = ['primary', 'secondary', 'danger'];

/** The actions of a `buttons` or `quickReplies` array (protocol.md: objects with an `id` are tappable). */
export function actionsOf(body: unknown, key: string): Action[] {
  return recordsOf(body, key).flatMap((item): Action[] => {
    const label = textOf(item, 'label');
    if (!label) return [];
    const id = textOf(item, 'id');
    if (id && item.type !== 'url') {
      const style = textOf(item, 'style');
      return [
        { kind: 'postback', id, label, ...(style && STYLES.includes(style) ? { style: style as ButtonStyle } : {}) },
      ];
    }
    const url = safeHttpUrl(item.url);
    return [url ? { kind: 'link', label, url } : { kind: 'inert', label }];
  });
}
