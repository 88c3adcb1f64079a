import { useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import { formatDateTime } from '../i18n/format-time';
import { AdminStatus } from './admin-alert';
import { useAdminApi } from './admin-context';
import { AdminTable, LoadNotes, SectionHeading } from './admin-table';
import type { Delivery } from './admin-types';
import { useAdminLoad } from './use-admin-load';

/** Business webhook deliveries that used up their attempts, each of which can be sent again. */
export function DeadLettersSection() {
  const { t, language } = useI18n();
  const api = useAdminApi();
  const { state, reload } = useAdminLoad(() => api.deadLetters(), [api]);
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);

  const replay = (delivery: Delivery) => {
    setDone(null);
    void action.run(async () => {
      await api.replay(delivery.deliveryId);
      reload();
      setDone(t('admin.deadLetters.replayed', { url: delivery.url }));
    });
  };
  const deliveries = state.data ?? [];
  return (
    <section aria-labelledby="admin-dead-letters-heading">
      <SectionHeading
        id="admin-dead-letters-heading"
        title={t('admin.deadLetters.title')}
        refresh={{ label: t('admin.deadLetters.refresh'), onClick: reload }}
      />
      <AdminStatus text={done} />
      <LoadNotes state={state} none={t('admin.deadLetters.none')} error={action.error} />
      {deliveries.length > 0 ? (
        <AdminTable
          caption={t('admin.deadLetters.title')}
          hideCaption
          columns={[
            t('admin.deadLetters.url'),
            t('admin.deadLetters.attempts'),
            t('admin.deadLetters.lastError'),
            t('admin.deadLetters.created'),
          ]}
          actions
        >
          {deliveries.map((delivery) => (
            <tr key={delivery.deliveryId}>
              <th scope="row" class="admin-break">
                {delivery.url}
              </th>
              <td>{delivery.attempts}</td>
              <td class="admin-break">{delivery.lastError ?? '—'}</td>
              <td>{formatDateTime(language, delivery.createdAt)}</td>
              <td>
                <button
                  type="button"
                  disabled={action.busy}
                  aria-label={t('admin.deadLetters.replayOne', { id: delivery.deliveryId })}
                  onClick={() => replay(delivery)}
                >
                  {t('admin.deadLetters.replay')}
                </button>
              </td>
            </tr>
          ))}
        </AdminTable>
      ) : null}
    </section>
  );
}
