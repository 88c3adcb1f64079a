import { ErrorNotice } from '../components/error-notice';
import { useAction } from '../components/use-action';
import { useI18n } from '../i18n/i18n-context';
import { usePeople } from '../people/people';
import { useBlocks } from '../session/client-hooks';

/**
 * Whom I block, newest first, each with Unblock (no question asked: blocking again is one click away
 * in the direct chat). The list follows changes made on my other devices.
 */
export function BlockedPeople() {
  const { t } = useI18n();
  const blocks = useBlocks();
  const people = usePeople();
  const action = useAction();
  const list = blocks.list();
  return (
    <div class="blocked-people">
      <p class="field-help">{t('profile.blocks.help')}</p>
      {list.length === 0 ? (
        <p>{t('profile.blocks.none')}</p>
      ) : (
        <ul>
          {list.map(({ userId }) => (
            <li key={userId}>
              <span>{people.name(userId)}</span>
              <button
                type="button"
                aria-label={t('profile.blocks.unblockLabel', { name: people.name(userId) })}
                disabled={action.busy}
                onClick={() => void action.run(() => blocks.unblock(userId))}
              >
                {t('profile.blocks.unblock')}
              </button>
            </li>
          ))}
        </ul>
      )}
      <ErrorNotice error={action.error} />
    </div>
  );
}
