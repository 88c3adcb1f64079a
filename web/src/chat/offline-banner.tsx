import { useEffect } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { useClientState } from '../session/client-hooks';
import { useSignedIn } from '../session/session-context';
import { useBrowserOnline } from '../session/use-browser-online';

/**
 * Says so while the connection is lost and the client reconnects, or as soon as the browser knows
 * it has no network (a stalled network can leave the socket open until the heartbeat gives up).
 * The status region is always in the page (empty while online), so its text is read out when it
 * appears.
 */
export function OfflineBanner() {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const state = useClientState();
  const browserOnline = useBrowserOnline();
  useEffect(() => {
    // The network is back: reconnect now rather than after the rest of the backoff.
    if (browserOnline) client.reconnectNow();
  }, [client, browserOnline]);
  return (
    <div class="offline-banner" role="status">
      {state === 'offline' || !browserOnline ? <p>{t('chat.offline')}</p> : null}
    </div>
  );
}
