import { useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { TextField } from '../components/text-field';
import { useI18n } from '../i18n/i18n-context';
import { AdminAlert } from './admin-alert';
import { adminApi } from './admin-api';

/**
 * Asks for the operator's admin token and tries it on the host before keeping it; `refusal` is why
 * the console asks again (the host refused the token it had).
 */
export function AdminTokenForm({ onAccepted, refusal }: { onAccepted: (token: string) => void; refusal: unknown }) {
  const { t } = useI18n();
  const [token, setToken] = useState('');
  const [missing, setMissing] = useState(false);
  const check = useAction();

  const submit = (event: Event) => {
    event.preventDefault();
    const given = token.trim();
    setMissing(given === '');
    if (given === '') return;
    void check.run(async () => {
      await adminApi(given, () => {}).plugins();
      onAccepted(given);
    });
  };

  return (
    <form class="stack admin-token-form" onSubmit={submit} noValidate aria-busy={check.busy}>
      <p>{t('admin.token.intro')}</p>
      <TextField
        label={t('admin.token.label')}
        help={t('admin.token.help')}
        value={token}
        onValue={setToken}
        error={missing ? t('validation.required') : null}
        name="adminToken"
        type="password"
        autoComplete="off"
        required
        maxLength={512}
      />
      <AdminAlert error={check.error ?? (check.busy ? null : refusal)} />
      <button type="submit" class="primary" disabled={check.busy}>
        {check.busy ? t('admin.token.checking') : t('admin.token.submit')}
      </button>
    </form>
  );
}
