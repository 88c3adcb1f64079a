import type { JSX } from 'preact';
import { useLayoutEffect, useRef } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import type { Route, RouteName } from '../router/routes';
import { MoneyScreen } from '../money/money-screen';
import { ProfileScreen } from '../profile/profile-screen';
import { BusinessStartScreen } from '../structured/business-start-screen';
import { AppHeader } from './app-header';
import { BackLink } from '../components/back-link';
import { ConversationScreen } from '../chat/conversation-screen';
import { OfflineBanner } from '../chat/offline-banner';
import { UnreadInTitle } from '../chat/unread-in-title';
import { HomeScreen, NotFoundScreen } from './placeholder-screens';
import { AgentConsole } from '../agent/agent-console';
import { AdminConsole } from '../admin/admin-console';
import { SearchScreen } from '../search/search-screen';
import { ThreadsScreen } from '../threads/threads-screen';
import { Sidebar } from './sidebar';

/** The main area's screen for each route of the signed-in app. */
const SCREENS: Partial<Record<RouteName, (params: Record<string, string>) => JSX.Element>> = {
  home: () => <HomeScreen />,
  conversation: (params) => <ConversationScreen conversationId={params.conversationId ?? ''} />,
  agent: () => <AgentConsole />,
  admin: () => <AdminConsole />,
  money: () => <MoneyScreen />,
  profile: () => <ProfileScreen />,
  search: () => <SearchScreen />,
  threads: () => <ThreadsScreen />,
  business: (params) => <BusinessStartScreen key={params.businessId} businessId={params.businessId ?? ''} />,
};

/**
 * The signed-in app: header, side column, main area. Wide screens show the side column and the main
 * area side by side; a phone shows one column, and away from home only the main area, with a way back.
 */
export function AppFrame({ route }: { route: Route }) {
  const { t } = useI18n();
  const main = useRef<HTMLElement>(null);
  const path = location.pathname;
  const first = useRef(true);
  // After an in-app navigation, focus goes to the new content, as a page load would take it there,
  // or where the screen says work starts (data-route-focus: the conversation's composer, so what is
  // typed right after opening one is not lost). A layout effect, so a screen's own later choice
  // (the message a search result opened) wins.
  useLayoutEffect(() => {
    if (first.current) first.current = false;
    else (main.current?.querySelector<HTMLElement>('[data-route-focus]') ?? main.current)?.focus();
  }, [path]);
  const screen = SCREENS[route.name] ?? (() => <NotFoundScreen />);
  return (
    <div class="app-frame" data-view={route.name === 'home' ? 'list' : 'detail'}>
      <a class="skip-link" href="#main">
        {t('app.skipToMain')}
      </a>
      <AppHeader path={path} />
      <OfflineBanner />
      <UnreadInTitle />
      <div class="app-body">
        <Sidebar current={route.name} />
        <main id="main" class="app-main" tabIndex={-1} ref={main}>
          {/* A conversation's header holds it, in the one row a phone gives the header. */}
          {route.name === 'conversation' ? null : <BackLink />}
          {screen(route.params)}
        </main>
      </div>
    </div>
  );
}
