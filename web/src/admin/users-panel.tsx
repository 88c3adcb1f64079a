import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { AdminAlert } from './admin-alert';
import type { AccountStatus, AdminUser, UserQuery } from './admin-types';
import { UserCreateForm } from './user-create-form';
import { UserManage } from './user-manage';
import { UserTable } from './user-table';
import { useAdminPages } from './use-admin-pages';
import { useAdminApi } from './admin-context';

/** People per page of the list. */
const USERS_PER_PAGE = 20;

/** People: find accounts (search, status, pages), manage the one chosen, create new ones. */
export function UsersPanel() {
  const { t } = useI18n();
  const [text, setText] = useState('');
  const [status, setStatus] = useState<'' | AccountStatus>('');
  const [search, setSearch] = useState<UserQuery>({});
  const [chosen, setChosen] = useState<AdminUser | null>(null);
  const api = useAdminApi();
  const pages = useAdminPages<AdminUser>(
    async (last) => {
      const page = await api.users({ ...search, ...(last ? { after: last.handle } : {}) }, USERS_PER_PAGE);
      return { items: page.users, hasMore: page.hasMore };
    },
    [api, search],
  );

  const find = (event: Event) => {
    event.preventDefault();
    setSearch({ query: text.trim(), ...(status ? { status } : {}) });
  };
  const changed = (user: AdminUser) => {
    pages.replace(user, (a, b) => a.id === b.id);
    setChosen(user);
  };
  const created = (user: AdminUser) => {
    setText(user.handle);
    setStatus('');
    setSearch({ query: user.handle });
    setChosen(user);
  };

  return (
    <div class="admin-section-stack">
      <section aria-labelledby="admin-users-find">
        <h2 id="admin-users-find">{t('admin.users.find')}</h2>
        <form class="admin-filters" onSubmit={find} role="search" aria-label={t('admin.users.find')}>
          <label class="field">
            <span>{t('admin.users.search')}</span>
            <input
              type="search"
              name="query"
              value={text}
              maxLength={64}
              onInput={(e) => setText(e.currentTarget.value)}
            />
          </label>
          <label class="field">
            <span>{t('admin.users.status')}</span>
            <select value={status} onChange={(e) => setStatus(e.currentTarget.value as '' | AccountStatus)}>
              <option value="">{t('admin.users.statusAny')}</option>
              <option value="active">{t('admin.users.statusActive')}</option>
              <option value="deactivated">{t('admin.users.statusDeactivated')}</option>
            </select>
          </label>
          <button type="submit">{t('admin.users.searchSubmit')}</button>
        </form>
        <AdminAlert error={pages.error} />
        {pages.list ? (
          <UserTable users={pages.list.items} chosenId={chosen?.id ?? null} onChoose={setChosen} />
        ) : (
          <p role="status">{t('app.loading')}</p>
        )}
        {pages.list?.hasMore ? (
          <button type="button" disabled={pages.busy} onClick={() => void pages.more()}>
            {pages.busy ? t('app.loading') : t('admin.users.more')}
          </button>
        ) : null}
      </section>
      {chosen ? <UserManage key={chosen.id} user={chosen} onChange={changed} onClose={() => setChosen(null)} /> : null}
      <section aria-labelledby="admin-users-create">
        <h2 id="admin-users-create">{t('admin.users.create')}</h2>
        <UserCreateForm onCreated={created} />
      </section>
    </div>
  );
}
