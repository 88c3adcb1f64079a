import type { Message } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { filesLabel, structuredLabel } from './message-preview';
import { unformattedText } from './message-text';
import type { People } from '../people/people';
import { isSystem, systemText } from '../i18n/system-text';

const SNIPPET = 120;

/** A message in one short line, for a reply's quote: its words without their formatting markers. */
export function useSnippet(people: People): (message: Message | undefined) => string {
  const { t, language } = useI18n();
  const w = { t, language, name: people.name };
  return (message) => {
    if (!message) return t('chat.reply.notLoaded');
    if (message.deletedAt || !message.content) return t('chat.preview.deleted');
    const content = message.content;
    let text = unformattedText(message);
    // A photo sent without a caption is quoted as one, not as nothing.
    if (text?.trim() === '') text = filesLabel(message, w) ?? text;
    if (text === null) {
      text = isSystem(content) ? systemText(content, message.senderId, w) : structuredLabel(content, w);
    }
    return text.length > SNIPPET ? `${text.slice(0, SNIPPET - 1)}…` : text;
  };
}

/** The message a reply answers, quoted above it: who wrote it ("yourself" for mine) and the start of it. */
export function ReplyQuote({ target, people }: { target: Message | undefined; people: People }) {
  const { t } = useI18n();
  const snippet = useSnippet(people);
  return (
    <blockquote class="reply-quote">
      <span class="reply-to">
        {!target
          ? t('chat.reply.quotingUnknown')
          : target.senderId === people.me.id
            ? t('chat.reply.quotingMine')
            : t('chat.reply.quoting', { name: people.name(target.senderId) })}
      </span>{' '}
      <span class="reply-snippet">{snippet(target)}</span>
    </blockquote>
  );
}
