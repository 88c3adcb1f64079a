import { useI18n } from '../i18n/i18n-context';
import { usePeople } from '../people/people';

/** "Ada is typing…": who is writing in the conversation now (a polite live region, read when it changes). */
export function TypingIndicator({ userIds }: { userIds: readonly string[] }) {
  const { t } = useI18n();
  const people = usePeople();
  const names = userIds.filter((id) => id !== people.me.id).map(people.name);
  let text = '';
  if (names.length === 1) text = t('chat.typing.one', { name: names[0]! });
  else if (names.length === 2) text = t('chat.typing.two', { first: names[0]!, second: names[1]! });
  else if (names.length > 2) text = t('chat.typing.many', { count: names.length });
  return (
    <p class="typing-indicator" aria-live="polite">
      {text}
    </p>
  );
}
