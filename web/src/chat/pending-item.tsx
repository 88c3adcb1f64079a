import type { PendingSend } from '../../../sdk/client/index.js';
import type { MessageEntity } from '../../../sdk/protocol/message.js';
import { useId } from 'preact/hooks';
import { errorText } from '../i18n/error-text';
import { useI18n } from '../i18n/i18n-context';
import type { Translate } from '../i18n/translate';
import { useSignedIn } from '../session/session-context';
import { useDraftReturn } from './composer-draft';
import { plainText } from './message-text';
import { useFormattedText } from './formatted-text';
import { MessageTextView } from './message-text-view';

/**
 * A message of mine the host has not stored yet: "Sending…" while it waits (offline included: it
 * goes out on reconnect), or why it was refused, with Retry and Discard, and Edit when the text
 * itself was refused (it goes back to its composer whole: text, files and the message it replied to).
 */
/** Refusals of what was sent itself: sending it again is refused again, so no Retry is offered. */
const FINAL = new Set(['invalid_request', 'unknown_message_type', 'invalid_message_body']);
/**
 * Refusals of the content, fixed by changing the text. A plugin hook's refusal is one too, though
 * not final: its rule (or a hook that could not check, failing closed) may let the same text pass later.
 */
const FIXABLE = new Set([...FINAL, 'message_rejected']);

/** A pending message has no entities yet: one array, so its parse is kept across renders. */
const NO_MENTIONS: readonly MessageEntity[] = [];

/** Why it was refused: a message refused as invalid was the text's fault (the outbox keeps no details). */
function reasonOf(t: Translate, error: PendingSend['error']): string {
  return error?.code === 'invalid_request' ? t('chat.pending.textRefused') : errorText(t, error ?? {});
}

export function PendingItem({ item }: { item: PendingSend }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const draft = useDraftReturn();
  const plain = plainText(item.content);
  const text = plain ?? `[${item.content.type}]`;
  // Formatted as it will be once stored; the host finds its mentions then.
  const formatted = useFormattedText(plain, NO_MENTIONS);
  const id = useId();
  const code = item.error?.code ?? '';
  const files = item.attachmentIds ?? [];
  // Its files go back as well (still on the host, unsent): not to a composer that takes none.
  const edit =
    draft !== null && plain !== null && (files.length === 0 || draft.takesFiles) && FIXABLE.has(code)
      ? () => {
          client.discard(item.clientMsgId);
          draft.putBack({ text: plain, replyToId: item.replyToId, attachmentIds: files });
        }
      : null;
  return (
    <li class="message mine pending" data-state={item.state} aria-labelledby={`${id} ${id}-status`}>
      <div class="bubble" id={id}>
        <p class="message-meta">
          <span class="message-sender">{t('chat.you')}</span>
        </p>
        {formatted === null ? <p class="message-text">{text}</p> : <MessageTextView formatted={formatted} myId="" />}
      </div>
      {item.state === 'failed' ? (
        <div class="message-failed" role="alert">
          <p id={`${id}-status`}>{t('chat.pending.failed', { reason: reasonOf(t, item.error) })}</p>
          <div class="button-row">
            {edit ? (
              <button type="button" onClick={edit}>
                {t('chat.pending.edit')}
              </button>
            ) : null}
            {FINAL.has(code) ? null : (
              <button type="button" onClick={() => client.retry(item.clientMsgId)}>
                {t('chat.pending.retry')}
              </button>
            )}
            <button type="button" onClick={() => client.discard(item.clientMsgId)}>
              {t('chat.pending.discard')}
            </button>
          </div>
        </div>
      ) : (
        <p class="message-status" id={`${id}-status`}>
          {t('chat.pending.sending')}
        </p>
      )}
    </li>
  );
}
