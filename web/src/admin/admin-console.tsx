import { useMemo, useState } from 'preact/hooks';
import { usePageTitle } from '../components/page-title';
import { useI18n } from '../i18n/i18n-context';
import { adminApi } from './admin-api';
import { AdminApiProvider } from './admin-context';
import { AdminTabs } from './admin-tabs';
import { AdminTokenForm } from './admin-token-form';
import { adminToken } from './admin-token';
import '../styles/admin.css';

/**
 * `/admin`: the operator's console, behind the host's admin token (asked for, kept in this tab
 * only). It needs no person signed in: it calls the admin API with the token alone. A token the
 * host refuses, now or later, is forgotten and asked for again with the reason.
 */
export function AdminConsole() {
  const { t } = useI18n();
  usePageTitle(t('admin.title'));
  const [token, setToken] = useState(() => adminToken.get());
  const [refusal, setRefusal] = useState<unknown>(null);
  const api = useMemo(
    () =>
      token === null
        ? null
        : adminApi(token, (error) => {
            adminToken.forget();
            setRefusal(error);
            setToken(null);
          }),
    [token],
  );
  const accept = (given: string) => {
    adminToken.set(given);
    setRefusal(null);
    setToken(given);
  };
  const forget = () => {
    adminToken.forget();
    setToken(null);
  };
  return (
    <div class="admin-console">
      <div class="admin-heading">
        <h1>{t('admin.title')}</h1>
        {api ? (
          <button type="button" onClick={forget}>
            {t('admin.token.forget')}
          </button>
        ) : null}
      </div>
      {api ? (
        <AdminApiProvider value={api}>
          <AdminTabs />
        </AdminApiProvider>
      ) : (
        <AdminTokenForm onAccepted={accept} refusal={refusal} />
      )}
    </div>
  );
}
