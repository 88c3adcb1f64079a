import { useI18n } from '../i18n/i18n-context';
import { formatDateTime } from '../i18n/format-time';
import { AdminTable } from './admin-table';
import type { AdminUser } from './admin-types';

/** The accounts found: handle, name, kind, status, and a button to manage each. */
export function UserTable({
  users,
  chosenId,
  onChoose,
}: {
  users: AdminUser[];
  chosenId: string | null;
  onChoose: (user: AdminUser) => void;
}) {
  const { t, language } = useI18n();
  if (users.length === 0) return <p class="placeholder">{t('admin.users.none')}</p>;
  return (
    <AdminTable
      caption={t('admin.users.caption', { count: users.length })}
      columns={[
        t('admin.users.handle'),
        t('admin.users.displayName'),
        t('admin.users.kind'),
        t('admin.users.status'),
        t('admin.users.createdOn'),
      ]}
      actions
    >
      {users.map((user) => (
        <tr key={user.id} aria-current={user.id === chosenId ? 'true' : undefined}>
          <th scope="row">@{user.handle}</th>
          <td>{user.displayName}</td>
          <td>{t(`admin.kind.${user.kind}`)}</td>
          <td>{t(user.status === 'active' ? 'admin.users.statusActive' : 'admin.users.statusDeactivated')}</td>
          <td>{formatDateTime(language, user.createdAt, 'date')}</td>
          <td>
            <button
              type="button"
              aria-label={t('admin.users.manageUser', { handle: user.handle })}
              onClick={() => onChoose(user)}
            >
              {t('admin.users.manage')}
            </button>
          </td>
        </tr>
      ))}
    </AdminTable>
  );
}
