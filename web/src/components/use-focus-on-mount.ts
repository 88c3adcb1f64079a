import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

const FIELD = 'input:not([type="hidden"]), textarea, select';

/**
 * Gives the focus to an element when it appears: a field itself, or a form's first field. The HTML
 * autofocus attribute is not enough: Chromium honours it once per page load, so a box opened a
 * second time (editing another message) would not get the cursor and what is typed would be lost.
 */
export function useFocusOnMount<T extends HTMLElement>(): RefObject<T | null> {
  const ref = useRef<T>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const target = el.matches(`${FIELD}, button`) ? el : el.querySelector<HTMLElement>(FIELD);
    target?.focus();
  }, []);
  return ref;
}

/**
 * Puts the focus on `el` when it was lost to the page (the focused button was disabled or removed
 * by what it did), so the next Tab goes on from here and not from the top of the page; focus the
 * person moved elsewhere meanwhile stays there. `within`: focus there counts as lost too (a form
 * about to go).
 */
export function refocusIfLost(el: HTMLElement | null | undefined, within?: Element | null): void {
  const active = document.activeElement;
  if (!el || !el.isConnected) return;
  if (active === null || active === document.body || (within && within.contains(active))) el.focus();
}
