import { usePageTitle } from '../components/page-title';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { AvatarForm } from './avatar-form';
import { DisplayNameForm } from './display-name-form';
import { BlockedPeople } from './blocked-people';
import '../styles/profile.css';

/**
 * `/profile`: how others see me. My handle (fixed), my display name and my picture, each changed
 * through the host's profile API; everyone who shares a conversation with me sees the change live.
 * Below them, the people I block.
 */
export function ProfileScreen() {
  const { t } = useI18n();
  const { user } = useSignedIn();
  usePageTitle(t('profile.title'));
  return (
    <div class="profile-screen">
      <h1>{t('profile.title')}</h1>
      <dl class="profile-handle">
        <dt>{t('profile.handle')}</dt>
        <dd>@{user.handle}</dd>
      </dl>
      <p class="field-help">{t('profile.handleNote')}</p>
      <section aria-labelledby="profile-name">
        <h2 id="profile-name">{t('profile.name.title')}</h2>
        <DisplayNameForm />
      </section>
      <section aria-labelledby="profile-avatar">
        <h2 id="profile-avatar">{t('profile.avatar.title')}</h2>
        <AvatarForm />
      </section>
      <section aria-labelledby="profile-blocks">
        <h2 id="profile-blocks">{t('profile.blocks.title')}</h2>
        <BlockedPeople />
      </section>
    </div>
  );
}
