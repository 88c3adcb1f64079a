import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { TextField } from '../components/text-field';
import { useFocusOnMount } from '../components/use-focus-on-mount';
import { useAction } from '../components/use-action';
import type { MessageKey } from '../i18n/en';
import { fieldsOf } from '../i18n/error-text';
import { useI18n } from '../i18n/i18n-context';
import { Link } from '../router/router';
import { useSession } from '../session/session-context';
import { AuthLayout } from './auth-layout';
import { checkRegistration, fieldsFromDetails, type Registration, type RegistrationErrors } from './registration-rules';

const FIELD_RULE: Record<keyof Registration, MessageKey> = {
  handle: 'validation.handle',
  displayName: 'validation.displayName',
  password: 'validation.password',
};

/**
 * Create an account. Whether the host takes new accounts is its operator's choice
 * (auth.openRegistration); when it does not, its refusal (registration_closed) is shown in words.
 */
export function RegisterScreen() {
  const { t } = useI18n();
  const { register } = useSession();
  const [form, setForm] = useState<Registration>({ handle: '', displayName: '', password: '' });
  const [fieldErrors, setFieldErrors] = useState<RegistrationErrors>({});
  const action = useAction();
  const set = (field: keyof Registration) => (value: string) => setForm({ ...form, [field]: value });
  // The fields the host's refusal names, marked as it saw them.
  const refused =
    fieldsOf(action.error).code === 'invalid_request'
      ? fieldsFromDetails((action.error as { details?: unknown }).details)
      : [];
  // A handle someone has is the handle field's problem: said there, where the person fixes it.
  const handleTaken = fieldsOf(action.error).code === 'handle_taken';
  const errorKey = (field: keyof Registration) =>
    fieldErrors[field] ?? (refused.includes(field) ? FIELD_RULE[field] : undefined);
  const fieldError = (field: keyof Registration) => {
    if (field === 'handle' && handleTaken) return t('error.handle_taken');
    const key = errorKey(field);
    return key ? t(key) : null;
  };
  // A broken rule is said once, as the error: the hint, saying the same, gives way to it.
  const fieldHelp = (field: keyof Registration, help: MessageKey) =>
    errorKey(field) === FIELD_RULE[field] ? undefined : t(help);
  const formRef = useFocusOnMount<HTMLFormElement>();
  useEffect(() => {
    if (handleTaken) formRef.current?.querySelector<HTMLInputElement>('input[name="handle"]')?.focus();
  }, [handleTaken]);

  const submit = async (event: Event) => {
    event.preventDefault();
    action.clear();
    const entered = { ...form, handle: form.handle.trim() };
    const errors = checkRegistration(entered);
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    await action.run(() => register(entered.handle, entered.displayName, entered.password));
  };

  return (
    <AuthLayout title={t('register.title')} heading={t('register.heading')}>
      <form class="stack" onSubmit={submit} noValidate aria-busy={action.busy} ref={formRef}>
        <TextField
          label={t('auth.handle')}
          help={fieldHelp('handle', 'auth.handleHelp')}
          error={fieldError('handle')}
          value={form.handle}
          onValue={set('handle')}
          name="handle"
          autoComplete="username"
          autoCapitalize="none"
          spellcheck={false}
          required
        />
        <TextField
          label={t('auth.displayName')}
          help={fieldHelp('displayName', 'auth.displayNameHelp')}
          error={fieldError('displayName')}
          value={form.displayName}
          onValue={set('displayName')}
          name="displayName"
          autoComplete="nickname"
          required
        />
        <TextField
          label={t('auth.password')}
          help={fieldHelp('password', 'auth.passwordHelp')}
          error={fieldError('password')}
          value={form.password}
          onValue={set('password')}
          name="password"
          type="password"
          autoComplete="new-password"
          required
        />
        <ErrorNotice error={handleTaken ? null : action.error} />
        <button type="submit" class="primary" disabled={action.busy}>
          {action.busy ? t('register.submitting') : t('register.submit')}
        </button>
      </form>
      <p class="switch-auth">
        {t('register.haveAccount')} <Link href="/login">{t('register.toLogin')}</Link>
      </p>
    </AuthLayout>
  );
}
