import type { ComponentChildren } from 'preact';
import { LanguageSwitcher } from '../components/language-switcher';
import { usePageTitle } from '../components/page-title';
import { useI18n } from '../i18n/i18n-context';

/** The frame of the signed-out screens: the app's name and the language switcher, then one centred card. */
export function AuthLayout({
  title,
  heading,
  children,
}: {
  title: string;
  heading: string;
  children: ComponentChildren;
}) {
  const { t } = useI18n();
  usePageTitle(title);
  return (
    <div class="auth-layout">
      <header class="auth-header">
        <span class="brand">{t('app.name')}</span>
        <LanguageSwitcher />
      </header>
      <main id="main" class="auth-card" tabIndex={-1}>
        <h1>{heading}</h1>
        {children}
      </main>
    </div>
  );
}
