import { useId, useState } from 'preact/hooks';
import { useLoad } from '../components/use-load';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { ExternalLink, TapFeedback } from './action-buttons';
import { businessProfile, businessThreadOf, tapMenuItem } from './business-links';
import { safeHttpUrl } from './safe-url';
import { useTaps } from './use-postback';

/**
 * The business's persistent menu, by the composer of a conversation with a business: a button that
 * shows the items; a postback item is tapped through the thread's menu route and its answer shown
 * here (only to this customer), a link item opens. Nothing at all in other conversations.
 */
export function BusinessMenu({ conversationId }: { conversationId: string }) {
  const { t } = useI18n();
  const { client, user } = useSignedIn();
  const id = useId();
  // Without the thread or the profile (none, or it failed) there is no menu to show; the conversation works without it.
  const listed = client.conversation(conversationId) !== undefined;
  const thread = useLoad(
    () => businessThreadOf(client, user, conversationId),
    [client, user, conversationId, listed],
  ).data;
  const profile = useLoad(
    () => (thread ? businessProfile(client, thread.businessId) : Promise.resolve(null)),
    [client, thread],
  ).data;
  const [open, setOpen] = useState(false);
  const taps = useTaps(async (itemId) => {
    const text = await tapMenuItem(client, thread!.threadId, itemId);
    setOpen(false);
    return text;
  });
  if (!thread || !profile || profile.menu.length === 0) return null;

  return (
    <div class="business-menu">
      <button type="button" aria-expanded={open} aria-controls={`${id}-items`} onClick={() => setOpen(!open)}>
        {t('structured.menu.button', { name: profile.name })}
      </button>
      <ul id={`${id}-items`} class="business-menu-items" hidden={!open} aria-label={t('structured.menu.label')}>
        {profile.menu.map((item, i) => {
          const url = 'url' in item ? safeHttpUrl(item.url) : null;
          return (
            <li key={i}>
              {'id' in item ? (
                <button
                  type="button"
                  disabled={taps.busy !== null}
                  aria-busy={taps.busy === item.id ? true : undefined}
                  onClick={() => taps.tap(item.id)}
                >
                  {item.label}
                </button>
              ) : url ? (
                <ExternalLink url={url} label={item.label} />
              ) : (
                <span class="inert">{item.label}</span>
              )}
            </li>
          );
        })}
      </ul>
      <TapFeedback taps={taps} />
    </div>
  );
}
