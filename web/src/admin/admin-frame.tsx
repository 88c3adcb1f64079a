import { LanguageSwitcher } from '../components/language-switcher';
import { useI18n } from '../i18n/i18n-context';
import { Link } from '../router/router';
import { AdminConsole } from './admin-console';

/** The console on its own, for an operator with no person signed in on this browser. */
export function AdminFrame() {
  const { t } = useI18n();
  return (
    <div class="admin-frame">
      <a class="skip-link" href="#main">
        {t('app.skipToMain')}
      </a>
      <header class="admin-frame-header">
        <Link href="/" class="brand">
          {t('app.name')}
        </Link>
        <LanguageSwitcher />
      </header>
      <main id="main" class="admin-frame-main" tabIndex={-1}>
        <AdminConsole />
      </main>
    </div>
  );
}
