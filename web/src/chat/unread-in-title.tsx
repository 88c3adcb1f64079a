import { useUnreadInTitle } from '../components/page-title';
import { useConversationList } from '../session/client-hooks';
import { isQuiet } from './quiet-conversation';

/**
 * The number of unread messages, over the conversations neither muted nor archived, before the tab's
 * title, live. A component of its own that draws nothing, so only it renders again with each change
 * of the list.
 */
export function UnreadInTitle() {
  const views = useConversationList();
  useUnreadInTitle(views.reduce((sum, v) => (isQuiet(v) ? sum : sum + v.unreadCount), 0));
  return null;
}
