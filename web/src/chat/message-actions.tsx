import { useRef, useState } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { useFocusOnMount } from '../components/use-focus-on-mount';
import { REACTION_EMOJI, reactedWith, toggleReaction } from './reactions';
import { whenOnline } from './when-online';
import { ForwardDialog } from './forward-dialog';
import { usePinActions } from './use-pins';
import { ReportDialog } from './report-dialog';

interface Props {
  message: Message;
  /** The toggle's name: whose message these actions are for. */
  label: string;
  canEdit: boolean;
  canDelete: boolean;
  /** Whether it may be forwarded (text, with or without files). */
  canForward: boolean;
  onReply: () => void;
  /** Opens the message's thread (absent where threads are not offered, or for a reply in one). */
  onThread?: () => void;
  onEdit: () => void;
  onError: (error: unknown) => void;
  /**
   * I block the other person of this direct conversation: the host refuses replies, new reactions
   * and pins in it, so they are not offered; taking back my own reaction, editing, deleting stay.
   */
  blocking?: boolean;
}

/**
 * One button per message opens its actions (reply, react, pin, forward, report, edit, delete; while I
 * block the other person, only what the host still takes); from the keyboard it is
 * Tab from its message, or Enter on the message (useMessageKeys). Escape closes them; deleting
 * asks once more.
 */
export function MessageActions({
  message,
  label,
  canEdit,
  canDelete,
  canForward,
  onReply,
  onThread,
  onEdit,
  onError,
  blocking = false,
}: Props) {
  const { t } = useI18n();
  const { client, user: me } = useSignedIn();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [forwarding, setForwarding] = useState(false);
  // Someone else's message may be reported to the operator.
  const [reporting, setReporting] = useState(false);
  // Pins are the timeline's: none in a thread's panel, none for a reply in a thread.
  const pinContext = usePinActions();
  const pins = message.threadRootId || blocking ? null : pinContext;
  const pinned = pins?.isPinned(message.id) ?? false;
  const toggle = useRef<HTMLButtonElement>(null);
  const close = () => {
    setOpen(false);
    setConfirming(false);
    toggle.current?.focus();
  };
  /** Runs an action and closes the panel; focus goes back to the toggle unless the action moves it. */
  const act =
    (work: () => void, movesFocus = false) =>
    () => {
      if (movesFocus) {
        setOpen(false);
        setConfirming(false);
      } else close();
      work();
    };
  const panelId = `actions-${message.id}`;
  return (
    <div
      class="message-actions"
      onKeyDown={(e) => {
        if (e.key !== 'Escape' || !open) return;
        // Taken: a thread's panel around it leaves this Escape alone.
        e.preventDefault();
        close();
      }}
    >
      <button
        type="button"
        class="actions-toggle"
        ref={toggle}
        aria-expanded={open}
        aria-controls={panelId}
        aria-label={label}
        onClick={() => (open ? close() : setOpen(true))}
      >
        <span aria-hidden="true">⋯</span>
      </button>
      <div id={panelId} class="actions-panel" role="group" aria-label={t('chat.actions.label')} hidden={!open}>
        {open ? (
          <>
            {blocking ? null : (
              <button type="button" onClick={act(onReply, true)}>
                {t('chat.actions.reply')}
              </button>
            )}
            {onThread ? (
              <button type="button" onClick={act(onThread, true)}>
                {t('chat.actions.thread')}
              </button>
            ) : null}
            {REACTION_EMOJI.map((emoji) => {
              const mine = reactedWith(message, emoji, me.id);
              if (blocking && !mine) return null;
              return (
                <button
                  key={emoji}
                  type="button"
                  class="emoji-button"
                  aria-pressed={mine}
                  aria-label={t(mine ? 'chat.actions.unreact' : 'chat.actions.react', { emoji })}
                  onClick={act(() => void toggleReaction(client, message, emoji, me.id).catch(onError))}
                >
                  {emoji}
                </button>
              );
            })}
            {pins ? (
              <button
                type="button"
                onClick={act(
                  () =>
                    void whenOnline(client)
                      .then(() => (pinned ? pins.unpin(message) : pins.pin(message)))
                      .catch(onError),
                )}
              >
                {t(pinned ? 'chat.actions.unpin' : 'chat.actions.pin')}
              </button>
            ) : null}
            {canForward ? (
              <button type="button" onClick={act(() => setForwarding(true), true)}>
                {t('chat.actions.forward')}
              </button>
            ) : null}
            {message.senderId !== me.id ? (
              <button type="button" onClick={act(() => setReporting(true), true)}>
                {t('report.action')}
              </button>
            ) : null}
            {canEdit ? (
              <button type="button" onClick={act(onEdit, true)}>
                {t('chat.actions.edit')}
              </button>
            ) : null}
            {canDelete && !confirming ? (
              <button type="button" class="danger" onClick={() => setConfirming(true)}>
                {t('chat.actions.delete')}
              </button>
            ) : null}
            {confirming ? (
              <ConfirmDelete
                onYes={act(() => {
                  // The deleted message has no actions (this toggle goes): the message keeps the focus.
                  toggle.current?.closest('li')?.focus();
                  void whenOnline(client)
                    .then(() => client.delete(message.conversationId, message.id))
                    .catch(onError);
                }, true)}
                onNo={() => {
                  setConfirming(false);
                  toggle.current?.focus();
                }}
              />
            ) : null}
          </>
        ) : null}
      </div>
      {forwarding ? (
        <ForwardDialog
          message={message}
          onError={onError}
          onClose={() => {
            setForwarding(false);
            toggle.current?.focus();
          }}
        />
      ) : null}
      {reporting ? (
        <ReportDialog
          target={{ conversationId: message.conversationId, messageId: message.id }}
          title={t('report.messageTitle')}
          onClose={() => {
            setReporting(false);
            toggle.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}

/** "Delete this message?" with the answer that deletes focused, as the person asked for it. */
function ConfirmDelete({ onYes, onNo }: { onYes: () => void; onNo: () => void }) {
  const { t } = useI18n();
  const yes = useFocusOnMount<HTMLButtonElement>();
  return (
    <span class="confirm-delete">
      <span>{t('chat.actions.confirmDelete')}</span>
      <button type="button" class="danger" ref={yes} onClick={onYes}>
        {t('chat.actions.confirmYes')}
      </button>
      <button type="button" onClick={onNo}>
        {t('chat.actions.confirmNo')}
      </button>
    </span>
  );
}
