import { useEffect, useId, useRef, useState } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { usePeople } from '../people/people';
import { useConversationList } from '../session/client-hooks';
import { useSignedIn } from '../session/session-context';
import './forward-dialog.css';

interface Props {
  message: Message;
  onClose: () => void;
  onError: (error: unknown) => void;
}

/**
 * Forwards a message, as Messenger does: the person's conversations with a filter box, each with
 * its own Send, which turns to "Sent" and stays (one message may go to several); Done closes.
 * Native <dialog>: focus goes to the filter and stays inside, Escape closes, the page behind is
 * inert. The forward goes through the outbox, so it is pending in its conversation until stored.
 */
export function ForwardDialog({ message, onClose, onError }: Props) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const people = usePeople();
  const views = useConversationList();
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [filter, setFilter] = useState('');
  const [sent, setSent] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);
  // Closed first: while it is modal, the page behind cannot take the focus the caller gives back.
  const close = () => {
    dialog.current?.close();
    onClose();
  };
  const wanted = filter.trim().toLocaleLowerCase();
  // Not the conversation the message is in: it is there already.
  const shown = views
    .filter((v) => v.conversation.id !== message.conversationId)
    .map((v) => ({ id: v.conversation.id, title: people.title(v.conversation) }))
    .filter((c) => wanted === '' || c.title.toLocaleLowerCase().includes(wanted));
  const forward = (to: string) => {
    setSent((s) => new Set(s).add(to));
    client.forward(message, to).sent.catch(onError);
  };
  return (
    <dialog
      ref={dialog}
      class="forward-dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        close();
      }}
      onKeyDown={(event) => {
        // Its own Escape: the message's actions and a thread panel around it leave it alone.
        if (event.key === 'Escape') event.stopPropagation();
      }}
    >
      <h2 id={`${id}-title`}>{t('chat.forward.title')}</h2>
      <div class="field">
        <label for={`${id}-filter`}>{t('chat.forward.filter')}</label>
        <input
          id={`${id}-filter`}
          type="search"
          autoFocus
          value={filter}
          onInput={(event) => setFilter(event.currentTarget.value)}
        />
      </div>
      {shown.length === 0 ? (
        <p class="placeholder">{t('chat.forward.none')}</p>
      ) : (
        <ul class="forward-targets" aria-label={t('chat.forward.targets')}>
          {shown.map((c) => (
            <li key={c.id}>
              <span class="forward-target-name">{c.title}</span>
              <button
                type="button"
                disabled={sent.has(c.id)}
                aria-label={t(sent.has(c.id) ? 'chat.forward.sentTo' : 'chat.forward.sendTo', { name: c.title })}
                onClick={() => forward(c.id)}
              >
                {sent.has(c.id) ? t('chat.forward.sent') : t('chat.forward.send')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <div class="button-row">
        <button type="button" class="primary" onClick={close}>
          {t('chat.forward.done')}
        </button>
      </div>
    </dialog>
  );
}
