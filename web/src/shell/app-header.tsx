import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { LanguageSwitcher } from '../components/language-switcher';
import { useI18n } from '../i18n/i18n-context';
import { Avatar } from '../people/avatar';
import { Link } from '../router/router';
import { usePlugin } from '../session/host-plugins';
import { useSession, useSignedIn } from '../session/session-context';

/** Where the name goes in "Signed in as {name}", whatever the language puts around it. */
const NAME = '\u0000';

/**
 * The banner of the signed-in app: the app's name (home), who is signed in (their profile), then
 * the money screen (only where the payments plugin runs), the language and log out. A phone keeps
 * it to one row: those last three fold into a menu opened by a button.
 */
export function AppHeader({ path }: { path: string }) {
  const { t } = useI18n();
  const { logout } = useSession();
  const { user } = useSignedIn();
  const payments = usePlugin('payments');
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const toggle = useRef<HTMLButtonElement>(null);
  // Going to another screen folds the menu away.
  useEffect(() => setOpen(false), [path]);
  // The words around the name, which a phone leaves out to show more of the name.
  const [before = '', after = ''] = t('header.signedInAs', { name: NAME }).split(NAME);
  return (
    <header class="app-header">
      <Link href="/" class="brand">
        {t('app.name')}
      </Link>
      <Link href="/profile" class="signed-in-as" aria-current={path === '/profile' ? 'page' : undefined}>
        <Avatar url={user.avatarUrl} name={user.displayName} seed={user.id} />
        <span class="signed-in-name">
          <span class="signed-in-words">{before}</span>
          {user.displayName}
          <span class="signed-in-words">{after}</span>
        </span>
        <span class="sr-only"> {t('header.profileHint')}</span>
      </Link>
      <button
        type="button"
        class="header-menu-toggle"
        ref={toggle}
        aria-expanded={open}
        aria-controls={menuId}
        onClick={() => setOpen(!open)}
      >
        {t('header.menu')}
      </button>
      <div
        class="header-actions"
        id={menuId}
        data-open={open}
        onKeyDown={(event) => {
          if (event.key !== 'Escape' || !open) return;
          setOpen(false);
          toggle.current?.focus();
        }}
      >
        {payments === 'running' ? <Link href="/money">{t('money.nav')}</Link> : null}
        <LanguageSwitcher />
        {/* Logging out replaces the whole signed-in frame, this button included, at once. */}
        <button type="button" onClick={() => void logout()}>
          {t('header.logout')}
        </button>
      </div>
    </header>
  );
}
