import { useEffect, useRef } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { ErrorNotice } from '../components/error-notice';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { useThreadFollow } from './use-thread-follow';
import '../styles/threads.css';
import { MessageItem } from './message-item';
import { PendingItem } from './pending-item';
import { DraftReturnProvider, useDraft } from './composer-draft';
import { usePeople } from '../people/people';
import { useMessageKeys } from './use-message-keys';
import { useFocusReply } from './use-focus-message';
import { MentionPicker } from './mention-picker';
import { useThreadPages } from './use-thread-pages';
import { useKeepInPlace } from './use-keep-in-place';
import { ImageGallery } from '../attachments/image-gallery';
import { shownImages } from './shown-content';
import { useBlockedNotice } from './blocked-notice';

interface Props {
  conversationId: string;
  /** The conversation's name, under the panel's heading (on a phone the sheet hides the conversation's). */
  conversationTitle: string;
  rootId: string;
  /** The root as cached; null when it is not (opened from the threads list): the thread's page brings it. */
  root: Message | null;
  /** The conversation's cached messages: replies arriving live are among them. */
  live: readonly Message[];
  moderator: boolean;
  /** The reply to bring into view and focus (a search result's), or null. */
  focusSeq: number | null;
  /** The other person of a direct conversation (null in a group): while I block them, no composer. */
  partnerId: string | null;
  onClose: () => void;
}

/**
 * A root message and its replies beside the conversation: the newest page of the thread from the
 * host, earlier pages on "Show earlier replies" (what was in view stays in place), with replies
 * arriving live merged in (one list, by seq, each once), and a composer that
 * replies in the thread (the conversation's notice in its place while I block the other person). Its header follows or unfollows the thread (replying follows it: the host
 * does); while I follow it, the replies I see open here are marked read.
 */
export function ThreadPanel(props: Props) {
  const { conversationId, rootId, root: cachedRoot, live, moderator, onClose } = props;
  const { t } = useI18n();
  const { client } = useSignedIn();
  const people = usePeople();
  const input = useRef<HTMLTextAreaElement>(null);
  // A refused reply's text comes back here, to the thread's composer, not the conversation's.
  const { text, setText, back } = useDraft(input);
  const list = useRef<HTMLOListElement>(null);
  useMessageKeys(list);
  const panel = useRef<HTMLElement>(null);
  const pages = useThreadPages(conversationId, rootId, live);
  const { replies, newest } = pages;
  const closeButton = useRef<HTMLButtonElement>(null);
  const blocked = useBlockedNotice(props.partnerId, input);
  // Without a composer (I block the other person), the panel still takes the focus, on its way out.
  useEffect(() => (input.current ?? closeButton.current)?.focus(), [rootId]);
  // After the composer took the focus on opening: a reply asked for by the address takes it from there.
  useFocusReply(list, props.focusSeq, replies, pages);
  const follow = useThreadFollow(conversationId, rootId, newest, pages.loaded, replies, people.me.id);
  const root = cachedRoot ?? newest?.root ?? null;
  const shown = [...(root ? [root] : []), ...replies];
  const hold = useKeepInPlace(panel, replies[0]?.id ?? '');
  const loadEarlier = () => {
    // The oldest reply shown stays where it is on screen as the earlier ones go in above it.
    hold(list.current?.querySelector(`:scope > [data-seq="${replies[0]?.seq}"]`) ?? null);
    void pages.loadOlder();
  };
  const pending = client.pending(conversationId).filter((p) => p.threadRootId === rootId);
  const send = () => {
    const body = text.trim();
    if (body === '') return;
    client.send(conversationId, body, { threadRootId: rootId });
    setText('');
  };
  return (
    <aside
      ref={panel}
      class="thread-panel"
      aria-labelledby="thread-title"
      // An Escape something inside took for itself (a message's actions, an edit, a question) is not the panel's.
      onKeyDown={(e) => e.key === 'Escape' && !e.defaultPrevented && onClose()}
    >
      <header class="thread-header">
        <div class="thread-heading">
          <h2 id="thread-title">{t('chat.thread.title')}</h2>
          <p class="thread-conversation">{props.conversationTitle}</p>
        </div>
        {newest ? (
          <span class="thread-follow">
            {follow.following ? <span class="thread-following">{t('chat.thread.following')}</span> : null}
            <button type="button" onClick={follow.toggle} disabled={follow.action.busy}>
              {t(follow.following ? 'chat.thread.unfollow' : 'chat.thread.follow')}
            </button>
          </span>
        ) : null}
        <button type="button" ref={closeButton} onClick={onClose}>
          {t('chat.thread.close')}
        </button>
      </header>
      <ErrorNotice error={pages.error ?? follow.action.error} />
      {pages.hasOlder ? (
        <button type="button" class="load-earlier" disabled={pages.loading} onClick={loadEarlier}>
          {t(pages.loading ? 'chat.thread.loadingEarlier' : 'chat.thread.earlier')}
        </button>
      ) : null}
      {/* The viewer opened here steps through the thread's images, not the conversation's. */}
      <ImageGallery images={shownImages(shown)}>
        <ol class="message-list" ref={list} aria-label={t('chat.thread.replies')}>
          {shown.map((m) => (
            <MessageItem
              key={m.id}
              message={m}
              conversationId={conversationId}
              replyTarget={null}
              moderator={moderator}
              seen={null}
              onReply={() => input.current?.focus()}
              blocking={blocked !== null}
              people={people}
            />
          ))}
          <DraftReturnProvider value={back}>
            {pending.map((p) => (
              <PendingItem key={p.clientMsgId} item={p} />
            ))}
          </DraftReturnProvider>
        </ol>
      </ImageGallery>
      {blocked ?? (
        <form
          class="composer"
          onSubmit={(e) => {
            e.preventDefault();
            send();
          }}
        >
          <MentionPicker
            conversationId={conversationId}
            text={text}
            input={input}
            onPick={(picked) => {
              setText(picked);
              input.current?.focus();
            }}
          />
          <div class="composer-row">
            <textarea
              ref={input}
              class="composer-input"
              aria-label={t('chat.thread.composer')}
              placeholder={t('chat.thread.placeholder')}
              rows={1}
              value={text}
              onInput={(e) => setText(e.currentTarget.value)}
              onKeyDown={(e) => {
                // A mention picked with Enter is not sent (the picker took the key first).
                if (e.defaultPrevented || e.key !== 'Enter' || e.shiftKey || e.isComposing) return;
                e.preventDefault();
                send();
              }}
            />
            <button type="submit" class="primary">
              {t('chat.thread.send')}
            </button>
          </div>
        </form>
      )}
    </aside>
  );
}
