import { useI18n } from '../i18n/i18n-context';
import { useClientState } from '../session/client-hooks';

/**
 * Says so while the connection is lost and the client reconnects. The status region is always in
 * the page (empty while online), so its text is read out when it appears.
 */
export function OfflineBanner() {
  const { t } = useI18n();
  const state = useClientState();
  return (
    <div class="offline-banner" role="status">
      {state === 'offline' ? <p>{t('chat.offline')}</p> : null}
    </div>
  );
}
