import { LanguageSwitcher } from '../components/language-switcher';
import { useI18n } from '../i18n/i18n-context';
import { Link } from '../router/router';
import { useSession, useSignedIn } from '../session/session-context';

/** The banner of the signed-in app: the app's name (home), who is signed in, the language, log out. */
export function AppHeader() {
  const { t } = useI18n();
  const { logout } = useSession();
  const { user } = useSignedIn();
  return (
    <header class="app-header">
      <Link href="/" class="brand">
        {t('app.name')}
      </Link>
      <p class="signed-in-as">{t('header.signedInAs', { name: user.displayName })}</p>
      <div class="header-actions">
        <Link href="/money">{t('money.nav')}</Link>
        <LanguageSwitcher />
        {/* Logging out replaces the whole signed-in frame, this button included, at once. */}
        <button type="button" onClick={() => void logout()}>
          {t('header.logout')}
        </button>
      </div>
    </header>
  );
}
