import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';

/** What can take the focus inside an item. */
const FOCUSABLE =
  'a[href], button, input, select, textarea, summary, audio[controls], video[controls], [contenteditable], [tabindex]';
/** The tabindex an element had before it left the Tab order ('' for none), to give it back. */
const SAVED = 'data-roving-tabindex';

function hide(el: HTMLElement): void {
  if (el.hasAttribute(SAVED)) return;
  el.setAttribute(SAVED, el.getAttribute('tabindex') ?? '');
  el.tabIndex = -1;
}

function restore(el: HTMLElement): void {
  const saved = el.getAttribute(SAVED);
  if (saved === null) return;
  el.removeAttribute(SAVED);
  if (saved === '') el.removeAttribute('tabindex');
  else el.setAttribute('tabindex', saved);
}

/**
 * The keyboard model of a list of messages (the conversation's log, a thread's replies), a roving
 * tabindex as in the WAI-ARIA practices, so a long conversation is one Tab stop on the way to the
 * composer, not one per message:
 * - Tab reaches one message of the list: the one last focused, else the newest.
 * - Up and Down arrows move to the previous and next message, Home and End to the first and last
 *   loaded (scrolling to the top loads older ones, as with the mouse).
 * - Tab from a message goes through its own controls (actions ⋯, reactions, links, files), then
 *   out of the list; the other messages' controls are out of the Tab order.
 * - Enter on a message opens its actions, as its ⋯ button does; Escape closes them.
 * The mouse is unchanged: clicking anything in a message makes it the list's current one.
 * The items are the list's own <li> children (a separator aside), their tabindex this hook's; it
 * follows the list's changes (messages arriving, reactions added) as they happen.
 */
export function useMessageKeys(list: RefObject<HTMLElement | null>): void {
  useEffect(() => {
    const root = list.current;
    if (!root) return;
    let current: HTMLElement | null = null;
    // Until a message is chosen, the newest is the one Tab reaches, as new ones arrive.
    let chosen = false;
    // A separator's item ("New messages") is read on the way, but is no message to stop at.
    const items = () =>
      [...root.children].filter(
        (el): el is HTMLLIElement =>
          el instanceof HTMLLIElement && el.firstElementChild?.getAttribute('role') !== 'separator',
      );
    const itemOf = (node: EventTarget | null) =>
      items().find((item) => node instanceof Node && item.contains(node)) ?? null;

    const apply = () => {
      const all = items();
      if (!chosen || !current || !all.includes(current as HTMLLIElement)) current = all.at(-1) ?? null;
      for (const item of all) {
        const on = item === current;
        item.tabIndex = on ? 0 : -1;
        for (const el of item.querySelectorAll<HTMLElement>(FOCUSABLE)) (on ? restore : hide)(el);
      }
    };
    const onFocusIn = (event: FocusEvent) => {
      const item = itemOf(event.target);
      if (!item || (chosen && item === current)) return;
      current = item;
      chosen = true;
      apply();
    };
    const onKeyDown = (event: KeyboardEvent) => {
      const item = event.target;
      if (!(item instanceof HTMLLIElement) || item.parentElement !== root || event.altKey || event.ctrlKey) return;
      const all = items();
      const at = all.indexOf(item);
      const to: Record<string, number> = { ArrowUp: at - 1, ArrowDown: at + 1, Home: 0, End: all.length - 1 };
      const next = event.key in to ? all[to[event.key]!] : undefined;
      if (next) {
        event.preventDefault();
        next.focus();
        return;
      }
      const toggle = item.querySelector<HTMLButtonElement>('.actions-toggle');
      if (event.key === 'Enter' && toggle) {
        event.preventDefault();
        toggle.focus();
        if (toggle.getAttribute('aria-expanded') !== 'true') toggle.click();
      }
    };

    apply();
    const observer = new MutationObserver(apply);
    observer.observe(root, { childList: true, subtree: true });
    root.addEventListener('focusin', onFocusIn);
    root.addEventListener('keydown', onKeyDown);
    return () => {
      observer.disconnect();
      root.removeEventListener('focusin', onFocusIn);
      root.removeEventListener('keydown', onKeyDown);
    };
  }, [list]);
}
