import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { TextField } from '../components/text-field';
import { useI18n } from '../i18n/i18n-context';
import { Link } from '../router/router';
import { useSession } from '../session/session-context';
import { AuthLayout } from './auth-layout';

/** Sign in with a handle and password; a refusal is shown in words under the form. */
export function LoginScreen({ reason }: { reason?: unknown }) {
  const { t } = useI18n();
  const { login } = useSession();
  const [handle, setHandle] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(reason ?? null);

  const [missing, setMissing] = useState({ handle: false, password: false });

  const submit = async (event: Event) => {
    event.preventDefault();
    const empty = { handle: handle.trim() === '', password: password === '' };
    setMissing(empty);
    if (empty.handle || empty.password) return;
    setBusy(true);
    setError(null);
    try {
      await login(handle.trim(), password);
    } catch (err) {
      setError(err);
      setBusy(false);
    }
  };

  return (
    <AuthLayout title={t('login.title')} heading={t('login.heading')}>
      <form class="stack" onSubmit={submit} noValidate aria-busy={busy}>
        <TextField
          label={t('auth.handle')}
          value={handle}
          onValue={setHandle}
          error={missing.handle ? t('validation.required') : null}
          name="handle"
          autoComplete="username"
          autoCapitalize="none"
          spellcheck={false}
          required
          maxLength={64}
        />
        <TextField
          label={t('auth.password')}
          value={password}
          onValue={setPassword}
          error={missing.password ? t('validation.required') : null}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          maxLength={256}
        />
        <ErrorNotice error={error} />
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
      <p class="switch-auth">
        {t('login.noAccount')} <Link href="/register">{t('login.toRegister')}</Link>
      </p>
    </AuthLayout>
  );
}
