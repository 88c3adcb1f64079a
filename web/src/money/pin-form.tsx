import type { TargetedEvent } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { TextField } from '../components/text-field';
import { useAction } from '../components/use-action';
import { fieldsOf } from '../i18n/error-text';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { actionErrorText } from '../i18n/action-error-text';
import { paymentsApi } from './payments-api';
import { PIN_PATTERN } from './pin-dialog';

/** Sets my payments PIN, or changes it (the host then asks for the current one). */
export function PinForm() {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const api = useMemo(() => paymentsApi(client), [client]);
  const [pin, setPin] = useState('');
  const [current, setCurrent] = useState('');
  const [invalid, setInvalid] = useState<string | null>(null);
  const action = useAction();
  const [saved, setSaved] = useState(false);

  const submit = async (event: TargetedEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!PIN_PATTERN.test(pin)) return setInvalid(t('money.pin.format'));
    setInvalid(null);
    setSaved(false);
    await action.run(async () => {
      await api.setPin(pin, current || undefined).catch((failure: unknown) => {
        setPin('');
        throw failure;
      });
      setSaved(true);
      setPin('');
      setCurrent('');
    });
  };

  return (
    <form class="stack pin-form" onSubmit={(event) => void submit(event)} noValidate>
      <TextField
        name="new-pin"
        type="password"
        autoComplete="off"
        label={t('money.pin.new')}
        help={t('money.pin.format')}
        value={pin}
        onValue={setPin}
        error={invalid}
        maxLength={8}
      />
      <TextField
        name="current-pin"
        type="password"
        autoComplete="off"
        label={t('money.pin.current')}
        help={t('money.pin.currentHelp')}
        value={current}
        onValue={setCurrent}
        maxLength={8}
      />
      <ErrorNotice
        error={action.error}
        describe={(tr, error) =>
          needsCurrent(error, current) ? tr('money.pin.needCurrent') : actionErrorText(tr, error)
        }
      />
      <p class="tap-note" role="status">
        {saved ? t('money.pin.saved') : null}
      </p>
      <div class="button-row">
        <button type="submit" class="primary" disabled={action.busy}>
          {action.busy ? t('money.pin.saving') : t('money.pin.save')}
        </button>
      </div>
    </form>
  );
}

/** A PIN exists and none was given to change it: the host refuses the missing field as malformed. */
function needsCurrent(error: unknown, current: string): boolean {
  return current === '' && fieldsOf(error).code === 'invalid_payment_request';
}
