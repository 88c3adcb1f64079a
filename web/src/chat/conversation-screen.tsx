import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ClientState } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import { ErrorNotice } from '../components/error-notice';
import { usePageTitle } from '../components/page-title';
import { useI18n } from '../i18n/i18n-context';
import { Link } from '../router/router';
import { useSignedIn } from '../session/session-context';
import { replyInAddress, threadInAddress } from './thread-address';
import { useClientState, useConversationData } from '../session/client-hooks';
import type { CommandNote } from './command-note';
import { useStagedUploads } from '../attachments/use-staged-uploads';
import { useFileDrop } from '../attachments/use-file-drop';
import { Composer } from './composer';
import { DraftReturnProvider, useDraft } from './composer-draft';
import { ConversationHeader } from './conversation-header';
import { useBlockedNotice } from './blocked-notice';
import { MessageLog } from './message-log';
import { pluralKey } from '../i18n/plural';
import { readersOfMyLast } from './read-receipts';
import { usePeople } from '../people/people';
import { ThreadPanel } from './thread-panel';
import { TypingIndicator } from './typing-indicator';
import { useFocusMessage } from './use-focus-message';
import { PinnedBar } from './pinned-bar';
import { PinsContext, usePins } from './use-pins';
import { useMarkRead } from './use-mark-read';
import { useMembers } from './use-members';
import { useThreadReturn } from './use-thread-return';
import { useUnreadDivider } from './use-unread-divider';
import './conversation-screen.css';
import '../styles/attachments.css';

/** The conversation at /c/:id; a new id is a new screen (its own scroll, reply and notes). */
export function ConversationScreen({ conversationId }: { conversationId: string }) {
  return <Conversation key={conversationId} conversationId={conversationId} />;
}

/**
 * Loads what the cache lacks once online: the conversation itself, and its latest messages. When
 * it leaves the cache while open (I was removed), asking again says why in words.
 */
function useOpening(conversationId: string, state: ClientState, cached: boolean): unknown {
  const { client } = useSignedIn();
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (state !== 'online') return;
    if (cached && !(client.messages(conversationId).length === 0 && client.hasOlder(conversationId))) return;
    client.loadOlder(conversationId).then(() => setError(null), setError);
  }, [client, conversationId, state, cached]);
  return error;
}

function Conversation({ conversationId }: { conversationId: string }) {
  const { t, language } = useI18n();
  const { client } = useSignedIn();
  const people = usePeople();
  const state = useClientState();
  const data = useConversationData(conversationId);
  const { view, messages, pending, hasOlder } = data;
  const openError = useOpening(conversationId, state, view !== undefined);
  // Joins, leaves and role changes: the member list (and the roles the details show) is listed again.
  const membershipChanges = messages.filter(
    (m) => m.content?.type.startsWith('system.member') || m.content?.type === 'system.role_changed',
  ).length;
  const members = useMembers(conversationId, `${membershipChanges}:${view?.conversation.memberCount ?? 0}`);
  const unreadFrom = useUnreadDivider(conversationId, data, state, people.me.id);
  useMarkRead(conversationId, view, state);
  const focusMessage = useFocusMessage(conversationId, messages, hasOlder, state);
  const pins = usePins(conversationId, messages, state);
  const pinActions = useMemo(
    () => ({
      isPinned: (id: string) => pins.some((p) => p.message.id === id),
      pin: (m: Message) => client.pin(m.conversationId, m.id),
      unpin: (m: Message) => client.unpin(m.conversationId, m.id),
    }),
    [client, pins],
  );
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [threadRootId, setThreadRootId] = useState<string | null>(threadInAddress);
  // A search result that is a reply in a thread: the panel opens on its root and focuses it.
  const [addressed] = useState(() => ({ rootId: threadInAddress(), seq: replyInAddress() }));
  const input = useRef<HTMLTextAreaElement>(null);
  const staged = useStagedUploads();
  // Dropped anywhere on the conversation, files join the composer's; a thread's composer takes none.
  const drop = useFileDrop(
    (files) => staged.add(files),
    (target) => target instanceof Element && target.closest('.thread-panel') !== null,
  );
  const draft = useDraft(input, {
    staged,
    // A refused reply replies again to its message, when it is still among those loaded.
    replyTo: (id) => setReplyTo((now) => messages.find((m) => m.id === id) ?? now),
  });
  const thread = useThreadReturn(threadRootId, setThreadRootId, messages, input);
  // The main timeline holds roots and plain messages; a thread's replies show in its panel.
  const timeline = messages.filter((m) => m.threadRootId === null || m.threadRootId === undefined);
  const timelinePending = pending.filter((p) => !p.threadRootId);
  const [notes, setNotes] = useState<CommandNote[]>([]);
  // A new function once online: the log's filling (a page too short to scroll), refused while the
  // page was still connecting, runs again with it. Opened from a reload or a notification with only
  // the newest messages cached, the log kept those two or three and a "Load earlier" button.
  const loadOlder = useCallback(() => client.loadOlder(conversationId), [client, conversationId, state]);

  const title = view ? people.title(view.conversation) : t('conversation.title');
  usePageTitle(title);
  const group = view?.conversation.kind === 'group';
  const partner = !view || group ? null : people.partner(view.conversation);
  const blocked = useBlockedNotice(partner ?? null, input);
  if (!view && openError) {
    return (
      <section class="chat-missing">
        <h1>{t('chat.open.failed')}</h1>
        <ErrorNotice error={openError} />
        <Link href="/">{t('notFound.home')}</Link>
      </section>
    );
  }

  const receipt = readersOfMyLast(messages, people.me.id, view?.readSeqs ?? {}, members);
  const seen =
    receipt && receipt.readers.length > 0
      ? {
          messageId: receipt.messageId,
          text: group
            ? t(pluralKey(language, receipt.readers.length, 'chat.receipt.seenByOne', 'chat.receipt.seenBy'), {
                count: receipt.readers.length,
              })
            : t('chat.receipt.seen'),
          // In a group, who: the count alone does not say whether the one who matters has read it.
          names: group
            ? new Intl.ListFormat(language, { type: 'conjunction' }).format(receipt.readers.map(people.name))
            : null,
        }
      : null;
  const role = view?.conversation.myRole;
  return (
    <section
      class={drop.over ? 'chat-screen drop-target' : 'chat-screen'}
      aria-labelledby="chat-title"
      onDragEnter={drop.onDragEnter}
      onDragOver={drop.onDragOver}
      onDragLeave={drop.onDragLeave}
      onDrop={drop.onDrop}
    >
      {drop.over ? (
        <p class="drop-hint" role="status">
          {t('attachments.dropHere')}
        </p>
      ) : null}
      <ConversationHeader
        view={view}
        title={title}
        partnerId={partner}
        memberCount={members?.length ?? view?.conversation.memberCount ?? 0}
        members={members}
      />
      <PinnedBar pins={pins} onOpen={(message) => focusMessage(message.seq)} />
      <DraftReturnProvider value={draft.back}>
        <PinsContext.Provider value={pinActions}>
          <MessageLog
            conversationId={conversationId}
            messages={timeline}
            pending={timelinePending}
            notes={notes}
            hasOlder={hasOlder}
            loadOlder={loadOlder}
            moderator={group && (role === 'owner' || role === 'admin')}
            seen={seen}
            unreadFrom={unreadFrom}
            onReply={(message) => {
              setReplyTo(message);
              input.current?.focus();
            }}
            onThread={(message) => thread.open(message.id)}
            onDismissNote={(id) => setNotes((list) => list.filter((n) => n.id !== id))}
            blocking={blocked !== null}
          />
        </PinsContext.Provider>
      </DraftReturnProvider>
      {threadRootId ? (
        <ThreadPanel
          key={threadRootId}
          conversationId={conversationId}
          conversationTitle={title}
          rootId={threadRootId}
          root={messages.find((m) => m.id === threadRootId) ?? null}
          live={messages}
          moderator={group && (role === 'owner' || role === 'admin')}
          focusSeq={threadRootId === addressed.rootId ? addressed.seq : null}
          partnerId={partner ?? null}
          onClose={thread.close}
        />
      ) : null}
      <TypingIndicator userIds={view?.typing ?? []} />
      {blocked ?? (
        <Composer
          conversationId={conversationId}
          replyTo={replyTo}
          replyName={replyTo ? people.sender(replyTo.senderId) : ''}
          onCancelReply={() => setReplyTo(null)}
          onCommandReply={(command, text) =>
            setNotes((list) => [
              ...list,
              { id: `${Date.now()}-${list.length}`, command, text, afterSeq: messages.at(-1)?.seq ?? 0 },
            ])
          }
          input={input}
          draft={draft}
          staged={staged}
        />
      )}
    </section>
  );
}
