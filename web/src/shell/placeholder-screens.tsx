import { usePageTitle } from '../components/page-title';
import { useI18n } from '../i18n/i18n-context';
import { Link } from '../router/router';
import { useSignedIn } from '../session/session-context';

export function HomeScreen() {
  const { t } = useI18n();
  const { user } = useSignedIn();
  usePageTitle(t('home.title'));
  return (
    <section class="placeholder-screen">
      <h1>{t('home.heading', { name: user.displayName })}</h1>
      <p class="placeholder">{t('home.body')}</p>
    </section>
  );
}

export function NotFoundScreen() {
  const { t } = useI18n();
  usePageTitle(t('notFound.title'));
  return (
    <section class="placeholder-screen">
      <h1>{t('notFound.title')}</h1>
      <p>{t('notFound.body')}</p>
      <Link href="/">{t('notFound.home')}</Link>
    </section>
  );
}
