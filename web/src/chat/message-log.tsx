import { Fragment } from 'preact';
import { useRef } from 'preact/hooks';
import type { PendingSend } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { ImageGallery } from '../attachments/image-gallery';
import { CommandNoteItem, type CommandNote } from './command-note';
import { JumpToLatest, useArrivedBelow } from './jump-to-latest';
import { MessageItem } from './message-item';
import { continuesRun } from './message-runs';
import { PendingItem } from './pending-item';
import { usePeople } from '../people/people';
import { useMessageKeys } from './use-message-keys';
import { useScrollBack } from './use-scroll-back';
import { shownImages } from './shown-content';
import { useOpenAtDivider } from './use-unread-divider';
import './message-log.css';

interface Props {
  conversationId: string;
  messages: Message[];
  pending: PendingSend[];
  notes: CommandNote[];
  hasOlder: boolean;
  loadOlder: () => Promise<unknown>;
  moderator: boolean;
  /** The id of my message to show the receipt under, and the receipt in words. */
  seen: { messageId: string; text: string; names: string | null } | null;
  /** The id of the first unread message, which "New messages" goes above (useUnreadDivider). */
  unreadFrom?: string | null;
  onReply: (message: Message) => void;
  onThread?: (message: Message) => void;
  onDismissNote: (id: string) => void;
  /** Shown to someone who is not a member (the agent console): no reactions or actions. */
  readOnly?: boolean;
  /** I block the other person of this direct conversation: no reply, new reaction or pin is offered. */
  blocking?: boolean;
}

/**
 * The conversation's messages, oldest first, as a live log: history above (loaded on scrolling
 * up or with the button), then my unsent messages, with command answers where they came. Its
 * messages are one Tab stop, with arrow keys between them (useMessageKeys has the keyboard model).
 */
export function MessageLog(props: Props) {
  const { t } = useI18n();
  const { messages, pending, notes, hasOlder } = props;
  const people = usePeople();
  const me = people.me.id;
  const log = useRef<HTMLDivElement>(null);
  const list = useRef<HTMLOListElement>(null);
  useMessageKeys(list);
  const newest = messages.at(-1)?.seq ?? 0;
  const last = pending.at(-1)?.clientMsgId ?? messages.at(-1)?.id ?? '';
  const scroll = useScrollBack(log, {
    firstKey: messages[0]?.id ?? '',
    lastKey: `${last}:${notes.length}:${messages.length}`,
    // What I just sent (or a command's answer to me) is shown even if I was reading further up.
    followMine: pending.length > 0 || messages.at(-1)?.senderId === me || (notes.at(-1)?.afterSeq ?? -1) >= newest,
    hasOlder,
    loadOlder: props.loadOlder,
  });
  const arrived = useArrivedBelow(messages, scroll.away, me);
  const unreadFrom = props.unreadFrom ?? null;
  useOpenAtDivider(log, unreadFrom, scroll.showFrom);
  const byId = new Map(messages.map((m) => [m.id, m]));
  // Each command answer follows the newest message shown when it came (before them all if none is loaded).
  const follows = (note: CommandNote) => messages.findLast((m) => m.seq <= note.afterSeq)?.id ?? null;
  const noteItems = (after: string | null) =>
    notes
      .filter((n) => follows(n) === after)
      .map((n) => <CommandNoteItem key={n.id} note={n} onDismiss={() => props.onDismissNote(n.id)} />);
  return (
    <div
      class="message-log"
      role="log"
      aria-live="polite"
      aria-label={t('chat.log.label')}
      aria-busy={scroll.loading}
      // Empty, the log itself is the Tab stop; otherwise one of its messages is.
      tabIndex={messages.length + pending.length + notes.length === 0 ? 0 : undefined}
      ref={log}
      onScroll={scroll.onScroll}
    >
      {hasOlder ? (
        <button type="button" class="load-earlier" disabled={scroll.loading} onClick={scroll.loadEarlier}>
          {scroll.loading ? t('chat.log.loading') : t('chat.log.earlier')}
        </button>
      ) : messages.length > 0 ? (
        <p class="log-start">{t('chat.log.start')}</p>
      ) : null}
      {/* Its images are what the viewer steps through from one of them. */}
      <ImageGallery images={shownImages(messages)}>
        <ol class="message-list" ref={list}>
          {noteItems(null)}
          {messages.map((m, i) => (
            // Keyed as a whole: older messages loaded above must not shift which item each one is
            // (positional pairs made every message new, and the focused one lost the focus).
            <Fragment key={m.id}>
              {m.id === unreadFrom ? (
                // An item of its own, the list holding list items only; the separator is what it says.
                <li>
                  <div class="unread-divider" role="separator" aria-label={t('chat.log.unread')}>
                    {t('chat.log.unread')}
                  </div>
                </li>
              ) : null}
              <MessageItem
                message={m}
                conversationId={props.conversationId}
                replyTarget={m.replyToId === null ? null : byId.get(m.replyToId)}
                moderator={props.moderator}
                seen={props.seen?.messageId === m.id ? props.seen : null}
                // Below the divider a run starts again: its sender is named.
                continued={m.id !== unreadFrom && continuesRun(messages[i - 1], m)}
                onReply={props.onReply}
                onThread={props.onThread}
                readOnly={props.readOnly}
                blocking={props.blocking}
                people={people}
              />
              {noteItems(m.id)}
            </Fragment>
          ))}
          {pending.map((item) => (
            <PendingItem key={item.clientMsgId} item={item} />
          ))}
        </ol>
      </ImageGallery>
      {scroll.away ? <JumpToLatest arrived={arrived} list={list} onJump={scroll.jumpToLatest} /> : null}
    </div>
  );
}
