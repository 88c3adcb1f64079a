import { useLayoutEffect } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';

/**
 * Sets the tab's title to "<screen> · Switchboard" while a screen is shown. A layout effect, so the
 * title changes in the same commit as the screen's words, never a frame behind them.
 */
export function usePageTitle(title: string): void {
  const { t } = useI18n();
  const appName = t('app.name');
  useLayoutEffect(() => {
    document.title = title === appName ? appName : `${title} · ${appName}`;
  }, [title, appName]);
}
