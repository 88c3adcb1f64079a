import { useEffect, useId, useRef, useState } from 'preact/hooks';
import {
  MAX_REPORT_NOTE_LENGTH,
  REPORT_REASONS,
  type ReportReason,
  type ReportRequest,
} from '../../../sdk/protocol/reports.js';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { errorTextWith } from '../i18n/error-text';
import type { MessageKey } from '../i18n/en';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import './report-dialog.css';

/** What is reported: a message of a conversation, or a person. */
export type ReportTarget = Pick<ReportRequest, 'conversationId' | 'messageId'> | Pick<ReportRequest, 'userId'>;

const REASON_KEYS: Record<ReportReason, MessageKey> = {
  spam: 'report.reason.spam',
  harassment: 'report.reason.harassment',
  illegal: 'report.reason.illegal',
  other: 'report.reason.other',
};
const reportErrorText = errorTextWith('report');

interface Props {
  target: ReportTarget;
  title: string;
  onClose: () => void;
}

/**
 * Reports a message or a person to the operator, as Messenger's "Report" does: a reason (radio
 * buttons), an optional note, Send; then a thank-you in its place with Close. Native <dialog>:
 * focus stays inside, Escape closes, the page behind is inert.
 */
export function ReportDialog({ target, title, onClose }: Props) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const dialog = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  const id = useId();
  const [reason, setReason] = useState<ReportReason | null>(null);
  const [missing, setMissing] = useState(false);
  const [note, setNote] = useState('');
  const [sent, setSent] = useState(false);
  const action = useAction();
  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);
  useEffect(() => {
    if (sent) closeButton.current?.focus();
  }, [sent]);
  // Closed first: while it is modal, the page behind cannot take the focus the caller gives back.
  const close = () => {
    dialog.current?.close();
    onClose();
  };
  const submit = (event: Event) => {
    event.preventDefault();
    setMissing(reason === null);
    if (reason === null) return;
    const written = note.trim();
    void action.run(async () => {
      await client.http.report({ ...target, reason, ...(written ? { note: written } : {}) });
      setSent(true);
    });
  };
  return (
    <dialog
      ref={dialog}
      class="report-dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        if (!action.busy) close();
      }}
      onKeyDown={(event) => {
        // Its own Escape: the message's actions and a thread panel around it leave it alone.
        if (event.key === 'Escape') event.stopPropagation();
      }}
    >
      <h2 id={`${id}-title`}>{title}</h2>
      {sent ? (
        <>
          <p role="status">{t('report.sent')}</p>
          <div class="button-row">
            <button type="button" class="primary" ref={closeButton} onClick={close}>
              {t('report.close')}
            </button>
          </div>
        </>
      ) : (
        <form class="stack" noValidate onSubmit={submit}>
          <p class="field-help">{t('report.intro')}</p>
          <fieldset class="report-reasons" aria-describedby={missing ? `${id}-missing` : undefined}>
            <legend>{t('report.reason')}</legend>
            {REPORT_REASONS.map((value) => (
              <label key={value}>
                <input
                  type="radio"
                  name={`${id}-reason`}
                  value={value}
                  checked={reason === value}
                  onChange={() => {
                    setReason(value);
                    setMissing(false);
                  }}
                />
                {t(REASON_KEYS[value])}
              </label>
            ))}
            {missing ? (
              <p class="field-error" id={`${id}-missing`}>
                {t('report.reasonMissing')}
              </p>
            ) : null}
          </fieldset>
          <div class="field">
            <label for={`${id}-note`}>{t('report.note')}</label>
            <textarea
              id={`${id}-note`}
              rows={3}
              maxLength={MAX_REPORT_NOTE_LENGTH}
              aria-describedby={`${id}-note-help`}
              value={note}
              onInput={(event) => setNote(event.currentTarget.value)}
            />
            <p class="field-help" id={`${id}-note-help`}>
              {t('report.noteHelp')}
            </p>
          </div>
          <ErrorNotice error={action.error} describe={reportErrorText} />
          <div class="button-row">
            <button type="submit" class="danger" disabled={action.busy}>
              {action.busy ? t('report.sending') : t('report.send')}
            </button>
            <button type="button" onClick={close} disabled={action.busy}>
              {t('report.cancel')}
            </button>
          </div>
        </form>
      )}
    </dialog>
  );
}
