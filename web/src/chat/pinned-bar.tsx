import { useId, useRef, useState } from 'preact/hooks';
import type { Pin } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { pluralKey } from '../i18n/plural';
import type { Wording } from '../i18n/system-text';
import { usePeople } from '../people/people';
import { filesLabel, structuredLabel } from './message-preview';
import { unformattedText } from './message-text';
import './pinned-bar.css';

/** A pinned message as one line: its words without formatting markers, or what it carries. */
function pinText(message: Message, w: Wording): string {
  const words = unformattedText(message);
  if (words !== null && words.trim() !== '') return words;
  return filesLabel(message, w) ?? (message.content ? structuredLabel(message.content, w) : '');
}

/**
 * The bar under the conversation's header while something is pinned, as in Messenger and Telegram:
 * the newest pin's text (a button that shows it in the log) and a count that opens the list of
 * pins, each of which shows its message. Nothing while nothing is pinned.
 */
export function PinnedBar({ pins, onOpen }: { pins: readonly Pin[]; onOpen: (message: Message) => void }) {
  const { t, language } = useI18n();
  const people = usePeople();
  const [open, setOpen] = useState(false);
  const toggle = useRef<HTMLButtonElement>(null);
  const listId = useId();
  if (pins.length === 0) return null;
  const w: Wording = { t, language, name: people.name };
  const show = (message: Message) => {
    setOpen(false);
    onOpen(message);
  };
  const newest = pins[0]!;
  return (
    <section
      class="pinned-bar"
      aria-label={t('chat.pins.region')}
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !open) return;
        e.preventDefault();
        setOpen(false);
        toggle.current?.focus();
      }}
    >
      <div class="pinned-row">
        <button
          type="button"
          class="pinned-current"
          aria-label={t('chat.pins.show', { text: pinText(newest.message, w) })}
          onClick={() => show(newest.message)}
        >
          {/* Drawn, not an emoji: a device without an emoji font showed a box. */}
          <svg class="pinned-icon" viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" focusable="false">
            <path
              fill="currentColor"
              d="M16 9V4h1a1 1 0 0 0 0-2H7a1 1 0 0 0 0 2h1v5a3 3 0 0 1-3 3v2h5.97v7l1 1 1-1v-7H19v-2a3 3 0 0 1-3-3z"
            />
          </svg>
          <span class="pinned-text">{pinText(newest.message, w)}</span>
        </button>
        <button
          type="button"
          class="pinned-count"
          ref={toggle}
          aria-expanded={open}
          aria-controls={listId}
          onClick={() => setOpen(!open)}
        >
          {t(pluralKey(language, pins.length, 'chat.pins.countOne', 'chat.pins.count'), { count: pins.length })}
        </button>
      </div>
      {open ? (
        <ul id={listId} class="pinned-list" aria-label={t('chat.pins.list')}>
          {pins.map((pin) => (
            <li key={pin.message.id}>
              <button type="button" onClick={() => show(pin.message)}>
                <span class="pinned-text">{pinText(pin.message, w)}</span>
                <span class="pinned-by">{t('chat.pins.by', { name: people.name(pin.pinnedBy) })}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </section>
  );
}
