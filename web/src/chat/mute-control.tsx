import type { ConversationView } from '../../../sdk/client/index.js';
import { ErrorNotice } from '../components/error-notice';
import { ShortLabel } from '../components/short-label';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { inHours, isMuted } from './mute-state';
import { useHeaderPopover } from './use-header-popover';

/**
 * Muting a conversation for me: no notifications, and its counts shown quietly. For an hour, eight
 * hours, or until unmuted; my other devices follow (the host tells them). The choices, and a
 * failure, open under the button, over the conversation, so the header keeps its one row; the
 * header's subtitle says how long it is muted.
 */
export function MuteControl({ view }: { view: ConversationView }) {
  const { t } = useI18n();
  const { client } = useSignedIn();
  const { open: choosing, setOpen: setChoosing, toggle, action, close, run } = useHeaderPopover();
  const id = view.conversation.id;
  const mute = (until: string | null) => run(() => client.mute(id, until));
  const muted = isMuted(view.mutedUntil);
  return (
    <div class="mute-control" onKeyDown={(e) => e.key === 'Escape' && choosing && close()}>
      {muted ? (
        <button
          type="button"
          ref={toggle}
          aria-label={t('chat.mute.unmute')}
          onClick={() => mute(null)}
          disabled={action.busy}
        >
          {/* On a phone a struck bell (the subtitle says "Muted" in words): the row keeps room for the name. */}
          <span class="label-full">{t('chat.mute.unmute')}</span>
          <span class="label-short muted-mark" aria-hidden="true" />
        </button>
      ) : (
        <button
          type="button"
          ref={toggle}
          aria-label={t('chat.mute.open')}
          aria-expanded={choosing}
          onClick={() => (choosing ? close() : setChoosing(true))}
        >
          <ShortLabel full={t('chat.mute.open')} short={t('chat.mute.openShort')} />
        </button>
      )}
      <div class="mute-popover">
        {choosing && !muted ? (
          <div class="mute-choices" role="group" aria-label={t('chat.mute.for')}>
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
    </div>
  );
}
