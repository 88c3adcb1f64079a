import { useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import { AdminStatus } from './admin-alert';
import { useAdminApi } from './admin-context';
import { AdminTable, LoadNotes, SectionHeading } from './admin-table';
import type { PluginInfo } from './admin-types';
import { AppsSection } from './apps-section';
import { PluginDetails } from './plugin-details';
import { useAdminLoad } from './use-admin-load';

const nameOf = (plugin: PluginInfo) => plugin.name ?? plugin.id;

/** Plugins and apps: each plugin's status, enabling and disabling it, its settings and logs; the apps' health. */
export function PluginsPanel() {
  const { t } = useI18n();
  const api = useAdminApi();
  const { state, reload } = useAdminLoad(() => api.plugins(), [api]);
  const action = useAction();
  const [done, setDone] = useState<string | null>(null);
  const [open, setOpen] = useState<string | null>(null);

  const toggle = (plugin: PluginInfo) => {
    setDone(null);
    void action.run(async () => {
      const next = plugin.status === 'running' ? await api.disable(plugin.id) : await api.enable(plugin.id);
      reload();
      const name = nameOf(next);
      if (next.status === 'running') setDone(t('admin.plugins.enabledDone', { name }));
      else if (next.status === 'disabled') setDone(t('admin.plugins.disabledDone', { name }));
      else setDone(t('admin.plugins.failedDone', { name, message: next.error?.message ?? '' }));
    });
  };

  const plugins = state.data ?? [];
  return (
    <div class="admin-section-stack">
      <section aria-labelledby="admin-plugins-heading">
        <SectionHeading
          id="admin-plugins-heading"
          title={t('admin.plugins.title')}
          refresh={{ label: t('admin.refresh'), onClick: reload }}
        />
        <AdminStatus text={done} />
        <LoadNotes state={state} none={t('admin.plugins.none')} error={action.error} />
        {plugins.length > 0 ? (
          <AdminTable
            caption={t('admin.plugins.title')}
            hideCaption
            columns={[
              t('admin.plugins.plugin'),
              t('admin.plugins.version'),
              t('admin.plugins.status'),
              t('admin.plugins.problem'),
            ]}
            actions
          >
            {plugins.map((plugin) => (
              <tr key={plugin.id}>
                <th scope="row">
                  {nameOf(plugin)} <span class="admin-muted">({plugin.id})</span>
                </th>
                <td>{plugin.version ?? '—'}</td>
                <td>{t(`admin.plugins.status.${plugin.status}`)}</td>
                <td>{plugin.error ? `${plugin.error.message} (${plugin.error.code})` : '—'}</td>
                <td>
                  <div class="admin-row-actions">
                    <button type="button" disabled={action.busy} onClick={() => toggle(plugin)}>
                      {t(plugin.status === 'running' ? 'admin.plugins.disable' : 'admin.plugins.enable', {
                        name: nameOf(plugin),
                      })}
                    </button>
                    <button
                      type="button"
                      aria-expanded={open === plugin.id}
                      onClick={() => setOpen(open === plugin.id ? null : plugin.id)}
                    >
                      {t('admin.plugins.details', { name: nameOf(plugin) })}
                    </button>
                  </div>
                </td>
              </tr>
            ))}
          </AdminTable>
        ) : null}
      </section>
      {open ? (
        <PluginDetails
          key={open}
          plugin={plugins.find((p) => p.id === open) ?? null}
          pluginId={open}
          onClose={() => setOpen(null)}
        />
      ) : null}
      <AppsSection />
    </div>
  );
}
