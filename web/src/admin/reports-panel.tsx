import { useState } from 'preact/hooks';
import type { AdminReport, ReportAction, ReportReason } from '../../../sdk/protocol/reports.js';
import { ConfirmButton } from '../components/confirm-button';
import { useAction } from '../components/use-action';
import type { MessageKey } from '../i18n/en';
import { formatDateTime } from '../i18n/format-time';
import { useI18n } from '../i18n/i18n-context';
import { AdminAlert, AdminStatus } from './admin-alert';
import { useAdminApi } from './admin-context';
import { SectionHeading } from './admin-table';
import { useAdminPages } from './use-admin-pages';

const PER_PAGE = 25;
const REASON_KEYS: Record<ReportReason, MessageKey> = {
  spam: 'report.reason.spam',
  harassment: 'report.reason.harassment',
  illegal: 'report.reason.illegal',
  other: 'report.reason.other',
};

/**
 * The open reports of abuse, newest first with older pages on demand (docs/operators.md "Reviewing
 * reports"): who reported whom and why, their note and the message as it was. Each is dismissed,
 * or its message deleted, or its person deactivated (asked once more); the list is read again
 * after each, since deleting or deactivating resolves the other reports it answers too.
 */
export function ReportsPanel() {
  const { t } = useI18n();
  const api = useAdminApi();
  const [version, setVersion] = useState(0);
  const [done, setDone] = useState<string | null>(null);
  const dismissal = useAction();
  const pages = useAdminPages(
    async (last: AdminReport | null) => {
      const page = await api.reports(last?.id, PER_PAGE);
      return { items: page.reports, hasMore: page.hasMore };
    },
    [api, version],
  );
  const resolve = async (report: AdminReport, action: ReportAction) => {
    await api.resolveReport(report.id, action);
    const said: Record<ReportAction, string> = {
      dismiss: t('admin.reports.dismissed'),
      delete_message: t('admin.reports.deleted'),
      deactivate_user: t('admin.reports.deactivated', { name: report.user.displayName }),
    };
    setDone(said[action]);
    setVersion((v) => v + 1);
  };
  const reports = pages.list?.items ?? [];
  return (
    <section aria-labelledby="admin-reports-heading">
      <SectionHeading
        id="admin-reports-heading"
        title={t('admin.reports.title')}
        refresh={{
          label: t('admin.reports.refresh'),
          onClick: () => {
            setDone(null);
            setVersion((v) => v + 1);
          },
        }}
      />
      <AdminStatus text={done} />
      <AdminAlert error={dismissal.error ?? pages.error} />
      {pages.list === null ? <p role="status">{t('app.loading')}</p> : null}
      {pages.list?.items.length === 0 ? <p class="placeholder">{t('admin.reports.none')}</p> : null}
      {reports.length > 0 ? (
        <div class="admin-cards">
          {reports.map((report) => (
            <ReportCard
              key={report.id}
              report={report}
              busy={dismissal.busy}
              onDismiss={() => void dismissal.run(() => resolve(report, 'dismiss'))}
              onResolve={(action) => resolve(report, action)}
            />
          ))}
        </div>
      ) : null}
      {pages.list?.hasMore ? (
        <button type="button" disabled={pages.busy} onClick={() => void pages.more()}>
          {pages.busy ? t('app.loading') : t('admin.reports.older')}
        </button>
      ) : null}
    </section>
  );
}

interface CardProps {
  report: AdminReport;
  busy: boolean;
  onDismiss: () => void;
  onResolve: (action: ReportAction) => Promise<void>;
}

/** One report: the people, the reason and note, the evidence, and the three actions. */
function ReportCard({ report, busy, onDismiss, onResolve }: CardProps) {
  const { t, language } = useI18n();
  const { reporter, user, message } = report;
  const name = user.displayName;
  const text = message?.content.type === 'text' ? (message.content as { text: string }).text : null;
  return (
    <article class="admin-card" aria-label={t('admin.reports.item', { name })}>
      <h3>{t(REASON_KEYS[report.reason])}</h3>
      <p>
        {t(user.status === 'active' ? 'admin.reports.about' : 'admin.reports.aboutDeactivated', {
          name,
          handle: user.handle,
        })}
      </p>
      <p class="admin-muted">
        {t('admin.reports.by', {
          name: reporter.displayName,
          handle: reporter.handle,
          date: formatDateTime(language, report.createdAt),
        })}
      </p>
      {report.note ? <p class="admin-break">{t('admin.reports.note', { note: report.note })}</p> : null}
      {message ? (
        <div>
          <p>{t('admin.reports.message', { date: formatDateTime(language, message.createdAt) })}</p>
          <blockquote class="admin-json admin-break">
            {text ?? t('admin.reports.structured', { type: message.content.type })}
          </blockquote>
          {message.attachments.length > 0 ? (
            <p class="admin-break">
              {t('admin.reports.files', { names: message.attachments.map((a) => a.name).join(', ') })}
            </p>
          ) : null}
        </div>
      ) : (
        <p class="admin-muted">{t('admin.reports.personReport')}</p>
      )}
      <div class="admin-row-actions">
        <button type="button" disabled={busy} onClick={onDismiss}>
          {t('admin.reports.dismiss')}
        </button>
        {message ? (
          <ConfirmButton
            label={t('admin.reports.deleteMessage')}
            question={t('admin.reports.deleteQuestion')}
            confirm={t('admin.reports.deleteMessage')}
            cancel={t('admin.reports.confirmCancel')}
            onConfirm={() => onResolve('delete_message')}
          />
        ) : null}
        {user.status === 'active' ? (
          <ConfirmButton
            label={t('admin.reports.deactivate', { name })}
            question={t('admin.reports.deactivateQuestion', { name })}
            confirm={t('admin.reports.deactivate', { name })}
            cancel={t('admin.reports.confirmCancel')}
            onConfirm={() => onResolve('deactivate_user')}
          />
        ) : null}
      </div>
    </article>
  );
}
