import { useMemo } from 'preact/hooks';
import { formatTree, type FormatNode } from '../../../sdk/client/index.js';
import type { MessageEntity } from '../../../sdk/protocol/message.js';

/**
 * A message's text parsed once for all that shows it: the text itself (message-text-view.tsx) and
 * the card of the page it links to (preview-link.ts), which so read the same formatting.
 */
export interface FormattedText {
  readonly text: string;
  /** Its formatting (the client library's rules), its mentions kept whole. */
  readonly tree: readonly FormatNode[];
  /** The host's mention entities that fit the text, in order. */
  readonly mentions: readonly MessageEntity[];
}

/** The host's entities in order, without any out of the text or overlapping one before it. */
function usableEntities(text: string, entities: readonly MessageEntity[] | undefined): MessageEntity[] {
  const usable: MessageEntity[] = [];
  for (const e of [...(entities ?? [])].sort((a, b) => a.offset - b.offset)) {
    const last = usable[usable.length - 1];
    if (e.offset < (last ? last.offset + last.length : 0) || e.offset + e.length > text.length) continue;
    usable.push(e);
  }
  return usable;
}

export function formatText(text: string, entities: readonly MessageEntity[] | undefined): FormattedText {
  const mentions = usableEntities(text, entities);
  return { text, tree: formatTree(text, mentions), mentions };
}

/** formatText once per text, as the log renders often; null for a message without text. */
export function useFormattedText(
  text: string | null,
  entities: readonly MessageEntity[] | undefined,
): FormattedText | null {
  return useMemo(() => (text === null ? null : formatText(text, entities)), [text, entities]);
}
