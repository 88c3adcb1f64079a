import { useState } from 'preact/hooks';
import type { ConversationView } from '../../../sdk/client/index.js';
import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { shortTime } from '../i18n/format-time';
import { isMuted } from './mute-state';

const HOUR_MS = 3_600_000;
/** "forever" comes back as the year 9999: anything this far off is "until you unmute". */
const FOREVER_AFTER_MS = 50 * 365 * 24 * HOUR_MS;

/**
 * Muting a conversation for me: no notifications, and its counts shown quietly. For an hour, eight
 * hours, or until unmuted; my other devices follow (the host tells them).
 */
export function MuteControl({ view }: { view: ConversationView }) {
  const { t, language } = useI18n();
  const { client } = useSignedIn();
  const [choosing, setChoosing] = useState(false);
  const action = useAction();
  const id = view.conversation.id;
  const mute = (until: string | null) =>
    void action.run(async () => {
      await client.mute(id, until);
      setChoosing(false);
    });
  const until = view.mutedUntil;
  if (isMuted(until)) {
    const forever = Date.parse(until!) - Date.now() > FOREVER_AFTER_MS;
    return (
      <div class="mute-control">
        <p class="chat-subtitle">
          {forever ? t('chat.mute.forever') : t('chat.mute.until', { time: shortTime(until!, language) })}
        </p>
        <button type="button" onClick={() => mute(null)} disabled={action.busy}>
          {t('chat.mute.unmute')}
        </button>
        <ErrorNotice error={action.error} />
      </div>
    );
  }
  const inHours = (hours: number) => new Date(Date.now() + hours * HOUR_MS).toISOString();
  return (
    <div class="mute-control">
      <button type="button" aria-expanded={choosing} onClick={() => setChoosing(!choosing)}>
        {t('chat.mute.open')}
      </button>
      {choosing ? (
        <div class="button-row" role="group" aria-label={t('chat.mute.for')}>
          <button type="button" onClick={() => mute(inHours(1))} disabled={action.busy}>
            {t('chat.mute.hour')}
          </button>
          <button type="button" onClick={() => mute(inHours(8))} disabled={action.busy}>
            {t('chat.mute.hours8')}
          </button>
          <button type="button" onClick={() => mute('forever')} disabled={action.busy}>
            {t('chat.mute.always')}
          </button>
        </div>
      ) : null}
      <ErrorNotice error={action.error} />
    </div>
  );
}
