import { useEffect } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';

/** Sets the tab's title to "<screen> · Switchboard" while a screen is shown. */
export function usePageTitle(title: string): void {
  const { t } = useI18n();
  const appName = t('app.name');
  useEffect(() => {
    document.title = title === appName ? appName : `${title} · ${appName}`;
  }, [title, appName]);
}
