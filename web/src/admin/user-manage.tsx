import { useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { TextField } from '../components/text-field';
import { useI18n } from '../i18n/i18n-context';
import { checkRegistration } from '../screens/registration-rules';
import { formatDateTime } from '../i18n/format-time';
import { AdminAlert, AdminStatus } from './admin-alert';
import { useAdminApi } from './admin-context';
import type { AdminUser } from './admin-types';

/**
 * One account: rename it, reset its password, deactivate or reactivate it. Each change says what
 * it did (a reset or a deactivation also ends every session the person has).
 */
export function UserManage({
  user,
  onChange,
  onClose,
}: {
  user: AdminUser;
  onChange: (user: AdminUser) => void;
  onClose: () => void;
}) {
  const { t, language } = useI18n();
  const api = useAdminApi();
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);
  const [displayName, setDisplayName] = useState(user.displayName);
  const [password, setPassword] = useState('');
  // Only the rules of the field each form sends are asked for.
  const [nameError, setNameError] = useState<string | null>(null);
  const [passwordError, setPasswordError] = useState<string | null>(null);
  const handle = user.handle;

  const act = (work: () => Promise<string>) => {
    setDone(null);
    void action.run(async () => setDone(await work()));
  };
  const rename = (event: Event) => {
    event.preventDefault();
    const rule = checkRegistration({ handle, displayName, password: '' }).displayName;
    setNameError(rule ? t(rule) : null);
    if (rule) return;
    act(async () => {
      onChange(await api.rename(user.id, displayName));
      return t('admin.users.renamed', { handle });
    });
  };
  const resetPassword = (event: Event) => {
    event.preventDefault();
    const rule = checkRegistration({ handle, displayName: 'x', password }).password;
    setPasswordError(rule ? t(rule) : null);
    if (rule) return;
    act(async () => {
      await api.setPassword(user.id, password);
      setPassword('');
      return t('admin.users.passwordReset', { handle });
    });
  };
  const toggle = () =>
    act(async () => {
      const active = user.status === 'active';
      onChange(await (active ? api.deactivate(user.id) : api.reactivate(user.id)));
      return t(active ? 'admin.users.deactivated' : 'admin.users.reactivated', { handle });
    });

  return (
    <section class="admin-card" aria-labelledby="admin-user-manage">
      <div class="admin-card-heading">
        <h2 id="admin-user-manage">{t('admin.users.manageHeading', { handle })}</h2>
        <button type="button" onClick={onClose}>
          {t('admin.close')}
        </button>
      </div>
      <p>
        {user.status === 'active'
          ? t('admin.users.isActive')
          : t('admin.users.isDeactivated', { date: formatDateTime(language, user.deactivatedAt ?? '') })}
      </p>
      <AdminStatus text={done} />
      <AdminAlert error={action.error} />
      <form class="admin-inline-form" onSubmit={rename} noValidate>
        <TextField
          label={t('auth.displayName')}
          value={displayName}
          onValue={setDisplayName}
          error={nameError}
          name="displayName"
          maxLength={64}
        />
        <button type="submit" disabled={action.busy}>
          {t('admin.users.rename')}
        </button>
      </form>
      <form class="admin-inline-form" onSubmit={resetPassword} noValidate>
        <TextField
          label={t('admin.users.newPassword')}
          help={t('auth.passwordHelp')}
          value={password}
          onValue={setPassword}
          error={passwordError}
          name="newPassword"
          type="password"
          autoComplete="new-password"
          maxLength={256}
        />
        <button type="submit" disabled={action.busy}>
          {t('admin.users.resetPassword')}
        </button>
      </form>
      <div class="button-row">
        <button type="button" class={user.status === 'active' ? 'danger' : ''} disabled={action.busy} onClick={toggle}>
          {user.status === 'active' ? t('admin.users.deactivate') : t('admin.users.reactivate')}
        </button>
      </div>
    </section>
  );
}
