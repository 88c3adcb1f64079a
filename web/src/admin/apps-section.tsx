import { useI18n } from '../i18n/i18n-context';
import { formatDateTime } from '../i18n/format-time';
import { useAdminApi } from './admin-context';
import { formatBytes, formatCount, formatMs } from './admin-format';
import { LoadNotes, SectionHeading } from './admin-table';
import type { AppHealth } from './admin-types';
import { useAdminLoad } from './use-admin-load';

/** The sandboxed apps' health as the supervisor sees it: state, breaker, restarts, CPU, memory, events. */
export function AppsSection() {
  const { t } = useI18n();
  const api = useAdminApi();
  const { state, reload } = useAdminLoad(() => api.apps(), [api]);
  return (
    <section aria-labelledby="admin-apps-heading">
      <SectionHeading
        id="admin-apps-heading"
        title={t('admin.apps.title')}
        refresh={{ label: t('admin.apps.refresh'), onClick: reload }}
      />
      <LoadNotes state={state} none={t('admin.apps.none')} />
      <div class="admin-cards">
        {(state.data ?? []).map((app) => (
          <AppCard key={app.id} app={app} />
        ))}
      </div>
    </section>
  );
}

function AppCard({ app }: { app: AppHealth }) {
  const { t, language } = useI18n();
  const n = (count: number) => formatCount(language, count);
  const failures = Object.entries(app.failures)
    .map(([reason, count]) => `${reason} × ${n(count)}`)
    .join(', ');
  const headingId = `admin-app-${app.id}`;
  return (
    <article class="admin-card" aria-labelledby={headingId}>
      <h3 id={headingId}>{t('admin.apps.app', { id: app.id })}</h3>
      <dl class="admin-facts">
        <dt>{t('admin.apps.state')}</dt>
        <dd>{t(`admin.apps.state.${app.state}`)}</dd>
        <dt>{t('admin.apps.breaker')}</dt>
        <dd>{t(app.state === 'disabled' ? 'admin.apps.breakerOpen' : 'admin.apps.breakerClosed')}</dd>
        <dt>{t('admin.apps.restarts')}</dt>
        <dd>{t('admin.apps.restartsValue', { restarts: n(app.restarts), collateral: n(app.collateralRestarts) })}</dd>
        <dt>{t('admin.apps.cpu')}</dt>
        <dd>
          {t('admin.apps.cpuValue', {
            total: formatMs(language, app.cpuMs),
            minute: formatMs(language, app.cpuMsLastMinute),
          })}
        </dd>
        <dt>{t('admin.apps.memory')}</dt>
        <dd>
          {t('admin.apps.memoryValue', {
            used: formatBytes(language, app.heapUsedBytes + app.externalBytes),
            limit: formatBytes(language, app.heapLimitBytes),
            worker: formatBytes(language, app.workerRssBytes),
          })}
        </dd>
        <dt>{t('admin.apps.events')}</dt>
        <dd>
          {t('admin.apps.eventsValue', {
            events: n(app.events),
            failed: n(app.failedEvents),
            pending: n(app.pendingCalls),
          })}
        </dd>
        <dt>{t('admin.apps.failures')}</dt>
        <dd>{failures || '—'}</dd>
        <dt>{t('admin.apps.lastFailure')}</dt>
        <dd>
          {app.lastFailure
            ? `${formatDateTime(language, app.lastFailure.at)}: ${app.lastFailure.reason} — ${app.lastFailure.message}`
            : '—'}
        </dd>
        <dt>{t('admin.apps.quarantined')}</dt>
        <dd>{t(app.quarantined ? 'admin.yes' : 'admin.no')}</dd>
      </dl>
    </article>
  );
}
