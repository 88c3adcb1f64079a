import type { ComponentChildren, TargetedMouseEvent } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { matchRoute, type Route } from './routes';

/**
 * A small router over the History API: the address is the state. navigate() pushes (or replaces)
 * an entry and tells every useRoute(); the back and forward buttons arrive as popstate.
 */
const NAVIGATED = 'switchboard:navigated';

export function navigate(path: string, { replace = false } = {}): void {
  if (path === currentPath()) return;
  if (replace) history.replaceState(null, '', path);
  else history.pushState(null, '', path);
  window.dispatchEvent(new Event(NAVIGATED));
}

function currentPath(): string {
  return location.pathname;
}

/** The current route, updated on every navigation. */
export function useRoute(): Route {
  const [path, setPath] = useState(currentPath);
  useEffect(() => {
    const update = () => setPath(currentPath());
    window.addEventListener('popstate', update);
    window.addEventListener(NAVIGATED, update);
    // A child's effect (a Redirect) may have navigated before this effect subscribed.
    update();
    return () => {
      window.removeEventListener('popstate', update);
      window.removeEventListener(NAVIGATED, update);
    };
  }, []);
  return matchRoute(path);
}

interface LinkProps {
  href: string;
  children: ComponentChildren;
  class?: string;
  'aria-current'?: 'page';
  onClick?: (event: TargetedMouseEvent<HTMLAnchorElement>) => void;
}

/** An <a> that navigates in the page; modified clicks (new tab, download…) stay the browser's. */
export function Link({ href, children, onClick, ...rest }: LinkProps) {
  const follow = (event: TargetedMouseEvent<HTMLAnchorElement>) => {
    onClick?.(event);
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    event.preventDefault();
    navigate(href);
  };
  return (
    <a href={href} onClick={follow} {...rest}>
      {children}
    </a>
  );
}
