import { useUnreadInTitle } from '../components/page-title';
import { useConversationList } from '../session/client-hooks';
import { isMuted } from './mute-state';

/**
 * The number of unread messages, over the conversations not muted, before the tab's title, live. A
 * component of its own that draws nothing, so only it renders again with each change of the list.
 */
export function UnreadInTitle() {
  const views = useConversationList();
  useUnreadInTitle(views.reduce((sum, v) => (isMuted(v.mutedUntil) ? sum : sum + v.unreadCount), 0));
  return null;
}
