import type { Message, StructuredContent } from '../../../sdk/protocol/message.js';
import { usePeople } from '../people/people';
import { systemText } from '../i18n/system-text';
import { useI18n } from '../i18n/i18n-context';

/** A membership or title change in words, with people's display names (protocol.md "System messages"). */
export function SystemMessage({ message, content }: { message: Message; content: StructuredContent }) {
  const { t, language } = useI18n();
  const people = usePeople();
  return (
    <span class="system-line">
      {systemText(content, message.senderId, { t, language, name: (id) => people.name(id) })}
    </span>
  );
}
