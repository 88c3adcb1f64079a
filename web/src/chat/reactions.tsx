import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import type { People } from '../people/people';
import { whenOnline } from './when-online';

/** The emoji anyone can react with. */
export const REACTION_EMOJI = ['👍', '❤️', '😂', '😮', '😢', '🎉'] as const;

/** Whether `me` reacted to the message with this emoji. */
export function reactedWith(message: Message, emoji: string, me: string): boolean {
  return message.reactions.some((r) => r.emoji === emoji && r.userIds.includes(me));
}

/** Adds my reaction, or takes it back if I had it. */
export function toggleReaction(
  client: SwitchboardClient,
  message: Message,
  emoji: string,
  me: string,
): Promise<unknown> {
  const op = reactedWith(message, emoji, me) ? 'remove' : 'add';
  return whenOnline(client).then(() => client.react(message.conversationId, message.id, emoji, op));
}

/**
 * A message's reactions: each emoji with its count, naming who reacted; pressing one toggles mine.
 * While I block the other person (`blocking`), the host takes no new reaction: only mine can be
 * pressed, to take it back, the others are shown as they are.
 */
export function ReactionChips({
  message,
  people,
  onError,
  blocking = false,
}: {
  message: Message;
  people: People;
  onError: (error: unknown) => void;
  blocking?: boolean;
}) {
  const { t, language } = useI18n();
  const { client } = useSignedIn();
  const me = people.me;
  if (message.reactions.length === 0) return null;
  const list = new Intl.ListFormat(language, { type: 'conjunction' });
  return (
    <ul class="reactions">
      {message.reactions.map((r) => {
        const names = list.format(r.userIds.map(people.name));
        const mine = reactedWith(message, r.emoji, me.id);
        return (
          <li key={r.emoji}>
            <button
              type="button"
              class="reaction"
              aria-pressed={mine}
              aria-label={t('chat.reactions.chip', { emoji: r.emoji, count: r.userIds.length, names })}
              title={names}
              disabled={blocking && !mine}
              onClick={() => toggleReaction(client, message, r.emoji, me.id).catch(onError)}
            >
              <span aria-hidden="true">{r.emoji}</span> {r.userIds.length}
            </button>
          </li>
        );
      })}
    </ul>
  );
}
