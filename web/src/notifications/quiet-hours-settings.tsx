import { useState } from 'preact/hooks';
import { QuietHoursForm } from './quiet-hours-form';
import { useI18n } from '../i18n/i18n-context';

/**
 * "Quiet hours" beside the notification toggle: a disclosure, so the sidebar stays short and the
 * settings are asked of the host only when the person opens it.
 */
export function QuietHoursSettings() {
  const { t } = useI18n();
  const [open, setOpen] = useState(false);
  return (
    <div class="quiet-hours">
      <button type="button" aria-expanded={open} aria-controls="quiet-hours-panel" onClick={() => setOpen(!open)}>
        {t('notifications.quiet.title')}
      </button>
      <div id="quiet-hours-panel" hidden={!open}>
        {open ? <QuietHoursForm /> : null}
      </div>
    </div>
  );
}
