import { useEffect, useId, useState } from 'preact/hooks';
import { useI18n } from '../i18n/i18n-context';
import { useSignedIn } from '../session/session-context';
import { ExternalLink } from './action-buttons';
import { actionErrorText } from './action-error-text';
import { businessProfile, rememberedThread, tapMenuItem, type BusinessProfile } from './business-links';
import { safeHttpUrl } from './safe-url';

/**
 * The business's persistent menu, by the composer of a conversation with a business: a button that
 * shows the items; a postback item is tapped through the thread's menu route and its answer shown
 * here (only to this customer), a link item opens. Nothing at all in other conversations.
 */
export function BusinessMenu({ conversationId }: { conversationId: string }) {
  const { t } = useI18n();
  const { client, user } = useSignedIn();
  const id = useId();
  const [thread] = useState(() => rememberedThread(user.id, conversationId));
  const [profile, setProfile] = useState<BusinessProfile | null>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    if (!thread) return;
    let live = true;
    businessProfile(client, thread.businessId).then(
      (answer) => live && setProfile(answer),
      // Without the profile there is no menu to show; the conversation works without it.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [client, thread]);
  if (!thread || !profile || profile.menu.length === 0) return null;

  const tap = (itemId: string) => {
    setBusy(true);
    setNote(null);
    setError(null);
    tapMenuItem(client, thread.threadId, itemId).then(
      (text) => {
        setNote(text);
        setBusy(false);
        setOpen(false);
      },
      (failure: unknown) => {
        setError(failure);
        setBusy(false);
      },
    );
  };
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
                <button type="button" disabled={busy} onClick={() => tap(item.id)}>
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
      <p class="tap-note" role="status">
        {note}
      </p>
      <p class="error-notice" role="alert">
        {error === null ? null : actionErrorText(t, error)}
      </p>
    </div>
  );
}
