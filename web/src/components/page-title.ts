import { useLayoutEffect } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';

/** The tab's title in its two parts: the screen's, and a count of unread messages put before it. */
const parts = { screen: '', unread: '' };

function show(): void {
  document.title = parts.unread === '' ? parts.screen : `${parts.unread} ${parts.screen}`;
}

/**
 * Sets the tab's title to "<screen> · Switchboard" while a screen is shown. A layout effect, so the
 * title changes in the same commit as the screen's words, never a frame behind them.
 */
export function usePageTitle(title: string): void {
  const { t } = useI18n();
  const appName = t('app.name');
  useLayoutEffect(() => {
    parts.screen = title === appName ? appName : `${title} · ${appName}`;
    show();
  }, [title, appName]);
}

/** Puts a count of unread messages before the title, "(3) Conversations · Switchboard", while the caller is shown. */
export function useUnreadInTitle(count: number): void {
  const { t } = useI18n();
  useLayoutEffect(() => {
    parts.unread = count > 0 ? t('app.titleUnread', { count }) : '';
    show();
    return () => {
      parts.unread = '';
      show();
    };
  }, [count, t]);
}
