import type { TargetedEvent } from 'preact';
import { useEffect, useId, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { ErrorNotice } from '../components/error-notice';
import { actionErrorText } from '../i18n/action-error-text';
import '../styles/payments.css';

export const PIN_PATTERN = /^\d{4,8}$/;

interface PinDialogProps {
  /** The dialog's heading: what the PIN confirms ("Pay €12.50 to Ada"). */
  title: string;
  confirmLabel: string;
  busy: boolean;
  /** The last attempt's failure (a wrong PIN…), in words in the dialog. */
  error: unknown;
  onConfirm: (pin: string) => void;
  onClose: () => void;
}

/**
 * A small modal that asks for the payments PIN before money leaves the wallet. Native <dialog>:
 * focus moves into it and back to the button that opened it, Escape closes it, and the page
 * behind is inert while it is open.
 */
export function PinDialog({ title, confirmLabel, busy, error, onConfirm, onClose }: PinDialogProps) {
  const { t } = useI18n();
  const dialog = useRef<HTMLDialogElement>(null);
  const id = useId();
  const [pin, setPin] = useState('');
  const [invalid, setInvalid] = useState(false);
  useEffect(() => {
    const element = dialog.current;
    element?.showModal();
    return () => element?.close();
  }, []);
  // A refused PIN is typed again from scratch: cleared before the refusal is painted (a layout
  // effect), so the field never shows the wrong PIN beside the message that it was wrong.
  useLayoutEffect(() => {
    if (error) setPin('');
  }, [error]);
  const submit = (event: TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!PIN_PATTERN.test(pin)) return setInvalid(true);
    setInvalid(false);
    onConfirm(pin);
  };
  return (
    <dialog
      ref={dialog}
      class="pin-dialog"
      aria-labelledby={`${id}-title`}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
    >
      <form class="stack" onSubmit={submit} noValidate>
        <h2 id={`${id}-title`}>{title}</h2>
        <div class="field">
          <label for={`${id}-pin`}>{t('money.pin.label')}</label>
          <input
            id={`${id}-pin`}
            type="password"
            inputMode="numeric"
            autoComplete="off"
            maxLength={8}
            value={pin}
            aria-invalid={invalid ? true : undefined}
            aria-describedby={invalid ? `${id}-invalid` : undefined}
            onInput={(event) => setPin(event.currentTarget.value)}
          />
          {invalid ? (
            <p class="field-error" id={`${id}-invalid`}>
              {t('money.pin.format')}
            </p>
          ) : null}
        </div>
        <ErrorNotice error={error} describe={actionErrorText} />
        <div class="button-row">
          <button type="submit" class="primary" disabled={busy}>
            {busy ? t('money.pin.confirming') : confirmLabel}
          </button>
          <button type="button" disabled={busy} onClick={onClose}>
            {t('money.pin.cancel')}
          </button>
        </div>
      </form>
    </dialog>
  );
}
