import { useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { formatDateTime } from '../i18n/format-time';
import { AdminAlert } from './admin-alert';
import { useAdminApi } from './admin-context';
import { AdminTable } from './admin-table';
import type { AuditEntry, AuditFilter } from './admin-types';
import { useAdminPages } from './use-admin-pages';

const PER_PAGE = 50;
/** The capabilities whose calls are audited (docs/plugins.md "The audit log"). */
const CAPABILITIES = ['messages', 'conversations', 'storage', 'database', 'scheduler', 'services'];

/** The audit log, newest first, filtered by plugin, capability and action, with older pages on demand. */
export function AuditSection() {
  const { t, language } = useI18n();
  const api = useAdminApi();
  const [draft, setDraft] = useState({ pluginId: '', capability: '', action: '' });
  const [filter, setFilter] = useState<AuditFilter>({});
  const pages = useAdminPages<AuditEntry>(
    async (last) => {
      const entries = await api.audit({ ...filter, ...(last ? { before: last.id } : {}) }, PER_PAGE);
      return { items: entries, hasMore: entries.length === PER_PAGE };
    },
    [api, filter],
  );
  const set = (field: keyof typeof draft) => (event: { currentTarget: { value: string } }) =>
    setDraft({ ...draft, [field]: event.currentTarget.value });
  const apply = (event: Event) => {
    event.preventDefault();
    setFilter({ pluginId: draft.pluginId.trim(), capability: draft.capability, action: draft.action.trim() });
  };

  const entries = pages.list?.items ?? [];
  return (
    <section aria-labelledby="admin-audit-heading">
      <h2 id="admin-audit-heading">{t('admin.audit.title')}</h2>
      <form class="admin-filters" onSubmit={apply} aria-label={t('admin.audit.filters')}>
        <label class="field">
          <span>{t('admin.audit.plugin')}</span>
          <input name="pluginId" value={draft.pluginId} maxLength={64} onInput={set('pluginId')} />
        </label>
        <label class="field">
          <span>{t('admin.audit.capability')}</span>
          <select name="capability" value={draft.capability} onChange={set('capability')}>
            <option value="">{t('admin.audit.any')}</option>
            {CAPABILITIES.map((capability) => (
              <option key={capability} value={capability}>
                {capability}
              </option>
            ))}
          </select>
        </label>
        <label class="field">
          <span>{t('admin.audit.action')}</span>
          <input name="action" value={draft.action} maxLength={64} onInput={set('action')} />
        </label>
        <button type="submit">{t('admin.audit.apply')}</button>
      </form>
      <AdminAlert error={pages.error} />
      {pages.list === null ? <p role="status">{t('app.loading')}</p> : null}
      {pages.list?.items.length === 0 ? <p class="placeholder">{t('admin.audit.none')}</p> : null}
      {entries.length > 0 ? (
        <AdminTable
          caption={t('admin.audit.caption', { count: entries.length })}
          columns={[
            t('admin.audit.at'),
            t('admin.audit.plugin'),
            t('admin.audit.capability'),
            t('admin.audit.action'),
            t('admin.audit.target'),
          ]}
        >
          {entries.map((entry) => (
            <tr key={entry.id}>
              <td>
                <time dateTime={entry.at}>{formatDateTime(language, entry.at)}</time>
              </td>
              <td>{entry.pluginId}</td>
              <td>{entry.capability}</td>
              <td>{entry.action}</td>
              <td class="admin-break">{entry.target ?? '—'}</td>
            </tr>
          ))}
        </AdminTable>
      ) : null}
      {pages.list?.hasMore ? (
        <button type="button" disabled={pages.busy} onClick={() => void pages.more()}>
          {pages.busy ? t('app.loading') : t('admin.audit.older')}
        </button>
      ) : null}
    </section>
  );
}
