import { useRef, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { ReportDialog } from './report-dialog';

/** "Report" for the other person of a direct chat: the report dialog about them; focus comes back here. */
export function ReportPersonButton({ userId, name }: { userId: string; name: string }) {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  return (
    <>
      <button type="button" ref={button} aria-label={t('report.person', { name })} onClick={() => setOpen(true)}>
        {t('report.action')}
      </button>
      {open ? (
        <ReportDialog
          target={{ userId }}
          title={t('report.personTitle', { name })}
          onClose={() => {
            setOpen(false);
            button.current?.focus();
          }}
        />
      ) : null}
    </>
  );
}
