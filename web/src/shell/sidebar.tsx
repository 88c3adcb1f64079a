import { adminToken } from '../admin/admin-token';
import { ConversationList } from '../chat/conversation-list';
import { StartConversation } from '../chat/start-conversation';
import { useI18n } from '../i18n/i18n-context';
import { NotificationToggle } from '../notifications/notification-toggle';
import { Link } from '../router/router';
import type { RouteName } from '../router/routes';
import { ThreadsLink } from '../threads/threads-link';

/**
 * The side column: searching, starting a conversation, the conversation list, and, folded at the
 * bottom, the links to the consoles. Each <nav> has its own label, so assistive technology tells
 * them apart. Nothing tells the page that a person is an operator, nor an agent (asking the
 * business plugin is a 404 on a host without it), so the consoles unfold by themselves only on
 * their own pages or in a tab that holds the admin token.
 */
export function Sidebar({ current }: { current: RouteName }) {
  const { t } = useI18n();
  const here = (name: RouteName) => (name === current ? ('page' as const) : undefined);
  return (
    <div class="sidebar">
      <div class="sidebar-tools">
        <Link href="/search" class="search-link" aria-current={here('search')}>
          {t('search.open')}
        </Link>
        <ThreadsLink current={current === 'threads'} />
        <NotificationToggle />
      </div>
      <nav class="conversation-nav" aria-label={t('nav.conversations')}>
        <h2>{t('nav.conversations')}</h2>
        <StartConversation />
        <ConversationList />
      </nav>
      <details class="console-nav" open={current === 'agent' || current === 'admin' || adminToken.get() !== null}>
        <summary>{t('nav.consolesFor')}</summary>
        <nav aria-label={t('nav.consoles')}>
          <ul>
            <li>
              <Link href="/agent" aria-current={here('agent')}>
                {t('nav.agent')}
              </Link>
            </li>
            <li>
              <Link href="/admin" aria-current={here('admin')}>
                {t('nav.admin')}
              </Link>
            </li>
          </ul>
        </nav>
      </details>
    </div>
  );
}
