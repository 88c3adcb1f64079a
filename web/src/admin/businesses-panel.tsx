import { useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import { formatDateTime } from '../i18n/format-time';
import { AdminStatus } from './admin-alert';
import { useAdminApi } from './admin-context';
import { AdminTable, LoadNotes, SectionHeading } from './admin-table';
import type { Business } from './admin-types';
import { BusinessCreateForm } from './business-create-form';
import { useAdminLoad } from './use-admin-load';

/** Businesses (the business plugin's operator routes): each one registered, verifying it, registering new ones. */
export function BusinessesPanel() {
  const { t, language } = useI18n();
  const api = useAdminApi();
  const { state, reload } = useAdminLoad(() => api.businesses(), [api]);
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);

  const setVerified = (business: Business, verified: boolean) => {
    setDone(null);
    void action.run(async () => {
      await api.setVerified(business.id, verified);
      reload();
      setDone(
        t(verified ? 'admin.businesses.verifiedDone' : 'admin.businesses.unverifiedDone', { name: business.name }),
      );
    });
  };
  const created = (business: Business) => {
    reload();
    setDone(t('admin.businesses.created', { name: business.name }));
  };

  const businesses = state.data ?? [];
  return (
    <div class="admin-section-stack">
      <section aria-labelledby="admin-businesses-heading">
        <SectionHeading
          id="admin-businesses-heading"
          title={t('admin.businesses.title')}
          refresh={{ label: t('admin.refresh'), onClick: reload }}
        />
        <AdminStatus text={done} />
        <LoadNotes state={state} none={t('admin.businesses.none')} error={action.error} />
        {businesses.length > 0 ? (
          <AdminTable
            caption={t('admin.businesses.title')}
            hideCaption
            columns={[t('admin.businesses.name'), t('admin.businesses.verified'), t('admin.businesses.registered')]}
            actions
          >
            {businesses.map((business) => (
              <tr key={business.id}>
                <th scope="row">{business.name}</th>
                <td>{t(business.verified ? 'admin.yes' : 'admin.no')}</td>
                <td>{formatDateTime(language, business.createdAt)}</td>
                <td>
                  <button
                    type="button"
                    disabled={action.busy}
                    onClick={() => setVerified(business, !business.verified)}
                  >
                    {t(business.verified ? 'admin.businesses.unverify' : 'admin.businesses.verify', {
                      name: business.name,
                    })}
                  </button>
                </td>
              </tr>
            ))}
          </AdminTable>
        ) : null}
      </section>
      <section aria-labelledby="admin-businesses-create">
        <h2 id="admin-businesses-create">{t('admin.businesses.create')}</h2>
        <BusinessCreateForm onCreated={created} />
      </section>
    </div>
  );
}
