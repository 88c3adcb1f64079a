import type { RefObject } from 'preact';
import { useRef } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { pluralKey } from '../i18n/plural';
import './jump-to-latest.css';

/**
 * How many messages of others came in below while the person read further up: counted from the
 * newest message there was when they left the bottom, so what they scrolled past is not counted.
 */
export function useArrivedBelow(messages: readonly Message[], away: boolean, me: string): number {
  const from = useRef<number | null>(null);
  if (!away) {
    from.current = null;
    return 0;
  }
  from.current ??= messages.at(-1)?.seq ?? 0;
  const since = from.current;
  return messages.filter((m) => m.seq > since && m.senderId !== me && m.deletedAt === null).length;
}

/**
 * The button back to the newest message, over the log's lower edge while the person reads further
 * up, with the number of messages that came in meanwhile. It takes the focus to the newest message,
 * since the button itself goes away.
 */
export function JumpToLatest({
  arrived,
  list,
  onJump,
}: {
  arrived: number;
  list: RefObject<HTMLElement | null>;
  onJump: () => void;
}) {
  const { t, language } = useI18n();
  const label =
    arrived === 0
      ? t('chat.log.jumpToLatest')
      : t(pluralKey(language, arrived, 'chat.log.arrivedOne', 'chat.log.arrivedOther'), { count: arrived });
  return (
    <div class="jump-latest">
      <button
        type="button"
        class="jump-latest-button"
        onClick={() => {
          onJump();
          const items = list.current?.querySelectorAll<HTMLElement>(':scope > li');
          items?.[items.length - 1]?.focus({ preventScroll: true });
        }}
      >
        <span aria-hidden="true">↓</span> {label}
      </button>
    </div>
  );
}
