import { useState } from 'preact/hooks';
import { ACCOUNT_RULES } from '../../../sdk/protocol/message.js';
import { ErrorNotice } from '../components/error-notice';
import { TextField } from '../components/text-field';
import { useFocusOnMount } from '../components/use-focus-on-mount';
import { useAction } from '../components/use-action';
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
  const action = useAction();
  // Why the last session ended, until the person tries again.
  const [ended, setEnded] = useState<unknown>(reason ?? null);
  const [missing, setMissing] = useState({ handle: false, password: false });
  // The cursor waits in the handle field, as it does in every screen's first field.
  const form = useFocusOnMount<HTMLFormElement>();

  const submit = async (event: Event) => {
    event.preventDefault();
    const empty = { handle: handle.trim() === '', password: password === '' };
    setMissing(empty);
    if (empty.handle || empty.password) return;
    setEnded(null);
    await action.run(() => login(handle.trim(), password));
  };

  return (
    <AuthLayout title={t('login.title')} heading={t('login.heading')}>
      <form class="stack" onSubmit={submit} noValidate aria-busy={action.busy} ref={form}>
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
          maxLength={ACCOUNT_RULES.handle.maxLength}
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
          maxLength={ACCOUNT_RULES.password.maxLength}
        />
        <ErrorNotice error={action.error ?? ended} />
        <button type="submit" class="primary" disabled={action.busy}>
          {action.busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
      <p class="switch-auth">
        {t('login.noAccount')} <Link href="/register">{t('login.toRegister')}</Link>
      </p>
    </AuthLayout>
  );
}
