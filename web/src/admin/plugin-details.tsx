import { useI18n } from '../i18n/i18n-context';
import { formatDateTime } from '../i18n/format-time';
import { AdminAlert } from './admin-alert';
import { useAdminApi } from './admin-context';
import { SectionHeading } from './admin-table';
import type { PluginInfo } from './admin-types';
import { useAdminLoad } from './use-admin-load';

/**
 * One plugin up close: the permissions granted and refused, the settings it runs with (secrets
 * hidden by the host; they change in the config), and its latest log lines, newest last.
 */
export function PluginDetails({
  pluginId,
  plugin,
  onClose,
}: {
  pluginId: string;
  plugin: PluginInfo | null;
  onClose: () => void;
}) {
  const { t, language } = useI18n();
  const api = useAdminApi();
  const settings = useAdminLoad(() => api.settings(pluginId), [api, pluginId]);
  const logs = useAdminLoad(() => api.logs(pluginId), [api, pluginId]);
  const name = plugin?.name ?? pluginId;
  const list = (items: string[] | undefined) => (items && items.length > 0 ? items.join(', ') : '—');

  return (
    <section class="admin-card" aria-labelledby="admin-plugin-details">
      <div class="admin-card-heading">
        <h2 id="admin-plugin-details">{t('admin.plugins.detailsHeading', { name })}</h2>
        <button type="button" onClick={onClose}>
          {t('admin.close')}
        </button>
      </div>
      <dl class="admin-facts">
        <dt>{t('admin.plugins.granted')}</dt>
        <dd>{list(plugin?.granted)}</dd>
        <dt>{t('admin.plugins.refused')}</dt>
        <dd>{list(plugin?.refused)}</dd>
      </dl>
      <h3>{t('admin.plugins.settings')}</h3>
      <p class="field-help">{t('admin.plugins.settingsHelp')}</p>
      <AdminAlert error={settings.state.status === 'failed' ? settings.state.error : null} />
      {settings.state.data === null ? (
        <p role="status">{t('app.loading')}</p>
      ) : (
        <pre class="admin-json" tabIndex={0} aria-label={t('admin.plugins.settings')}>
          {JSON.stringify(settings.state.data, null, 2)}
        </pre>
      )}
      <SectionHeading
        id="admin-plugin-logs"
        title={t('admin.plugins.logs')}
        level={3}
        refresh={{ label: t('admin.plugins.refreshLogs'), onClick: logs.reload }}
      />
      <AdminAlert error={logs.state.status === 'failed' ? logs.state.error : null} />
      {logs.state.data === null ? <p role="status">{t('app.loading')}</p> : null}
      {logs.state.data?.length === 0 ? <p class="placeholder">{t('admin.plugins.noLogs')}</p> : null}
      {logs.state.data && logs.state.data.length > 0 ? (
        <ol class="admin-log" aria-label={t('admin.plugins.logs')}>
          {logs.state.data.map((entry, index) => (
            <li key={index} class={`admin-log-${entry.level}`}>
              <time dateTime={entry.at}>{formatDateTime(language, entry.at)}</time>{' '}
              <span class="admin-log-level">{entry.level}</span> {entry.message}
              {entry.data === undefined ? null : <code class="admin-log-data">{JSON.stringify(entry.data)}</code>}
            </li>
          ))}
        </ol>
      ) : null}
    </section>
  );
}
