import { useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { TextField } from '../components/text-field';
import { useI18n } from '../i18n/i18n-context';
import { checkRegistration, type RegistrationErrors } from '../screens/registration-rules';
import { AdminAlert, AdminStatus } from './admin-alert';
import { useAdminApi } from './admin-context';
import type { AdminUser, UserKind } from './admin-types';

const KINDS: UserKind[] = ['person', 'bot', 'service'];

/** A new account: a person with a password, or a bot or service (which usually logs in with a token instead). */
export function UserCreateForm({ onCreated }: { onCreated: (user: AdminUser) => void }) {
  const { t } = useI18n();
  const api = useAdminApi();
  const action = useAction();
  const [form, setForm] = useState({ handle: '', displayName: '', password: '', kind: 'person' as UserKind });
  const [errors, setErrors] = useState<RegistrationErrors>({});
  const [done, setDone] = useState<string | null>(null);
  const set = (field: 'handle' | 'displayName' | 'password') => (value: string) => setForm({ ...form, [field]: value });
  const error = (field: keyof RegistrationErrors) => {
    const key = errors[field];
    return key ? t(key) : null;
  };

  const submit = (event: Event) => {
    event.preventDefault();
    setDone(null);
    const handle = form.handle.trim();
    const found = checkRegistration({ ...form, handle });
    // A bot or a service may have no password.
    if (form.kind !== 'person' && form.password === '') delete found.password;
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    void action.run(async () => {
      const user = await api.createUser({
        handle,
        displayName: form.displayName,
        kind: form.kind,
        ...(form.password ? { password: form.password } : {}),
      });
      setForm({ handle: '', displayName: '', password: '', kind: form.kind });
      setDone(t('admin.users.created', { handle: user.handle }));
      onCreated(user);
    });
  };

  return (
    <form class="stack admin-form" onSubmit={submit} noValidate aria-busy={action.busy}>
      <TextField
        label={t('auth.handle')}
        help={t('auth.handleHelp')}
        value={form.handle}
        onValue={set('handle')}
        error={error('handle')}
        name="newHandle"
        autoComplete="off"
        autoCapitalize="none"
        spellcheck={false}
        maxLength={32}
      />
      <TextField
        label={t('auth.displayName')}
        value={form.displayName}
        onValue={set('displayName')}
        error={error('displayName')}
        name="newDisplayName"
        autoComplete="off"
        maxLength={64}
      />
      <TextField
        label={t('auth.password')}
        help={t('admin.users.passwordHelp')}
        value={form.password}
        onValue={set('password')}
        error={error('password')}
        name="newPassword"
        type="password"
        autoComplete="new-password"
        maxLength={256}
      />
      <label class="field">
        <span>{t('admin.users.kind')}</span>
        <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.currentTarget.value as UserKind })}>
          {KINDS.map((kind) => (
            <option key={kind} value={kind}>
              {t(`admin.kind.${kind}`)}
            </option>
          ))}
        </select>
      </label>
      <AdminStatus text={done} />
      <AdminAlert error={action.error} />
      <button type="submit" class="primary" disabled={action.busy}>
        {t('admin.users.createSubmit')}
      </button>
    </form>
  );
}
