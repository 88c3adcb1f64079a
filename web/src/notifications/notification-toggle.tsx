import { useEffect, useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { errorTextWith } from '../i18n/error-text';
import { useI18n } from '../i18n/i18n-context';
import { beforeLogout, useSignedIn } from '../session/session-context';
import { QuietHoursSettings } from './quiet-hours-settings';
import { currentSubscription, pushSupported, subscribe, unsubscribe } from './push-subscription';

// The next person on this browser must not get the last one's notifications (docs/client.md, "Signing out").
beforeLogout(async (client) => {
  if (pushSupported()) await unsubscribe(client);
});

/** A failure of turning on or off: `push_disabled` in the notifications' own words. */
const toggleErrorText = errorTextWith('notifications');

type State = 'unknown' | 'off' | 'on' | 'blocked' | 'unavailable';

/**
 * Notifications while the app is closed (Web Push): a button that asks the browser's permission and
 * subscribes, or turns them off, and the person's quiet hours. Nothing at all where the browser
 * cannot, or the host has push off (known once it is asked: turning on, or checking a subscription).
 */
export function NotificationToggle() {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const [state, setState] = useState<State>('unknown');
  const action = useAction();
  useEffect(() => {
    if (!pushSupported()) return setState('unavailable');
    if (Notification.permission === 'denied') return setState('blocked');
    let live = true;
    // Without a subscription in this browser nothing is asked of the host: the key is needed only to subscribe.
    currentSubscription(client).then(
      (subscription) => live && setState(subscription ? 'on' : 'off'),
      // The host has push off (push_disabled), or cannot say now: nothing to offer.
      () => live && setState('unavailable'),
    );
    return () => {
      live = false;
    };
  }, [client]);
  if (state === 'unknown' || state === 'unavailable') return null;
  return (
    <div class="notification-toggle" role="group" aria-label={t('notifications.label')}>
      {state === 'blocked' ? <p>{t('notifications.blocked')}</p> : null}
      {state === 'on' ? <p>{t('notifications.on')}</p> : null}
      {state === 'off' ? (
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              const permission = await subscribe(client);
              setState(permission === 'granted' ? 'on' : permission === 'denied' ? 'blocked' : 'off');
            })
          }
        >
          {t('notifications.turnOn')}
        </button>
      ) : null}
      {state === 'on' ? (
        <button
          type="button"
          disabled={action.busy}
          onClick={() =>
            void action.run(async () => {
              await unsubscribe(client);
              setState('off');
            })
          }
        >
          {t('notifications.turnOff')}
        </button>
      ) : null}
      <ErrorNotice error={action.error} describe={toggleErrorText} />
      <QuietHoursSettings />
    </div>
  );
}
