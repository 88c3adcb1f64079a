import { useId, useRef, useState } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { ErrorNotice } from '../components/error-notice';
import { refocusIfLost } from '../components/use-focus-on-mount';
import { useI18n } from '../i18n/i18n-context';
import { fullTime, shortTime } from '../i18n/format-time';
import { MessageActions } from './message-actions';
import { MessageEditForm } from './message-edit-form';
import { plainText } from './message-text';
import { useFormattedText } from './formatted-text';
import { MessageTextView } from './message-text-view';
import { LinkPreviewCard } from './link-preview-card';
import { MessageAttachments } from '../attachments/message-attachments';
import { StructuredContent } from '../structured/structured-content';
import type { People } from '../people/people';
import { ReactionChips } from './reactions';
import { pluralKey } from '../i18n/plural';
import { ReplyQuote } from './reply-quote';
import { isSystem } from '../i18n/system-text';
import { UserAvatar } from '../people/avatar';
import { useSignedIn } from '../session/session-context';
import { SeenNote } from './seen-note';
import { isDeleted } from './shown-content';
import './forward-dialog.css';

export interface MessageItemProps {
  message: Message;
  conversationId: string;
  /** The message it answers: null when none, undefined when it is not loaded here. */
  replyTarget: Message | null | undefined;
  /** A group's owner or admin may delete anyone's message. */
  moderator: boolean;
  /** "Seen" / "Seen by 2" under my last message, with who in a group (a list of names). */
  seen: { text: string; names: string | null } | null;
  onReply: (message: Message) => void;
  /** Opens a message's thread; absent, no threads are offered (a thread's own replies, the agent console). */
  onThread?: (message: Message) => void;
  /** Shown to someone who is not a member (the agent console): no reactions or actions. */
  readOnly?: boolean;
  /** The directory, read once by the log for all its messages. */
  people: People;
  /** It goes on its sender's run: who and when are shown once, above the first (still read by screen readers). */
  continued?: boolean;
  /** I block the other person of this direct conversation: no reply, new reaction or pin is offered. */
  blocking?: boolean;
}

/** One message of the log: who and when, what it answers, its content, reactions and actions. */
export function MessageItem({
  message,
  conversationId,
  replyTarget,
  moderator,
  seen,
  onReply,
  onThread,
  readOnly = false,
  people,
  continued = false,
  blocking = false,
}: MessageItemProps) {
  const { t, language } = useI18n();
  const { client } = useSignedIn();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const item = useRef<HTMLLIElement>(null);
  // Saved or cancelled, the edit box goes: the message keeps the focus (the list's current item).
  const doneEditing = () => {
    refocusIfLost(item.current, item.current);
    setEditing(false);
  };
  // Focused with the arrow keys, an item is read by what it says (not its buttons' names).
  const id = useId();
  const text = plainText(message.content);
  const formatted = useFormattedText(text, message.entities);
  const time = (
    <time dateTime={message.createdAt} title={fullTime(message.createdAt, language)}>
      {shortTime(message.createdAt, language)}
    </time>
  );
  if (isSystem(message.content)) {
    return (
      <li class="system-item" data-seq={message.seq} id={id} aria-labelledby={id}>
        <StructuredContent message={message} conversationId={conversationId} /> {time}
      </li>
    );
  }
  const mine = message.senderId === people.me.id;
  const deleted = isDeleted(message);
  const senderName = people.sender(message.senderId);
  // In a group, who wrote is told by their picture too; a direct conversation has only the two.
  const group = client.conversation(conversationId)?.conversation.kind === 'group';
  return (
    <li
      class={`message ${mine ? 'mine' : 'theirs'}${continued ? ' continued' : ''}`}
      ref={item}
      data-seq={message.seq}
      aria-labelledby={id}
    >
      <div class="bubble" id={id}>
        <p class="message-meta">
          {group && !mine && !continued ? (
            <UserAvatar user={people.user(message.senderId)} name={senderName} id={message.senderId} size="tiny" />
          ) : null}
          <span class={continued ? 'sr-only' : undefined}>
            <span class="message-sender">{senderName}</span> {time}
          </span>
          {message.editedAt && !deleted ? <span class="message-edited"> {t('chat.message.edited')}</span> : null}
        </p>
        {message.forwarded && !deleted ? <p class="message-forwarded">{t('chat.message.forwarded')}</p> : null}
        {message.replyToId !== null && !deleted ? (
          <ReplyQuote target={replyTarget ?? undefined} people={people} />
        ) : null}
        {deleted ? (
          <p class="message-deleted">{t('chat.message.deleted')}</p>
        ) : editing && text !== null ? (
          <MessageEditForm message={message} text={text} onDone={doneEditing} />
        ) : formatted !== null ? (
          <>
            <MessageTextView formatted={formatted} myId={people.me.id} />
            <LinkPreviewCard formatted={formatted} />
          </>
        ) : (
          <div class="message-structured">
            <StructuredContent message={message} conversationId={conversationId} />
          </div>
        )}
        {deleted ? null : <MessageAttachments attachments={message.attachments ?? []} />}
        {message.thread && onThread ? (
          <button type="button" class="thread-summary" onClick={() => onThread(message)}>
            {t(pluralKey(language, message.thread.replyCount, 'chat.thread.replyOne', 'chat.thread.replyOther'), {
              count: message.thread.replyCount,
            })}
          </button>
        ) : null}
        {deleted || readOnly ? null : (
          <ReactionChips message={message} people={people} onError={setError} blocking={blocking} />
        )}
      </div>
      {deleted || readOnly ? null : (
        <MessageActions
          message={message}
          label={mine ? t('chat.actions.openMine') : t('chat.actions.open', { name: senderName })}
          canEdit={mine && text !== null && !message.forwarded}
          canDelete={mine || moderator}
          canForward={text !== null}
          onReply={() => onReply(message)}
          onThread={onThread && message.threadRootId === null ? () => onThread(message) : undefined}
          onEdit={() => setEditing(true)}
          onError={setError}
          blocking={blocking}
        />
      )}
      {error ? <ErrorNotice error={error} /> : null}
      {seen ? <SeenNote text={seen.text} names={seen.names} /> : null}
    </li>
  );
}
