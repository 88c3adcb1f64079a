import type { RefObject } from 'preact';
import { useCallback, useLayoutEffect, useRef } from 'preact/hooks';

/**
 * Keeps an item where it was on screen while items go in above it (earlier replies loaded into a
 * thread): `hold(item)` before loading; once `firstKey` (the oldest item shown) changes, the
 * scroller moves down by what went in above, so what the person was reading does not jump.
 * Measured at the item's end, as the main log does: it may change height itself (its sender's
 * name shown once for a run that now starts above it).
 */
export function useKeepInPlace(
  scroller: RefObject<HTMLElement | null>,
  firstKey: string,
): (item: Element | null) => void {
  const held = useRef<{ item: Element; offset: number; firstKey: string } | null>(null);

  const hold = useCallback(
    (item: Element | null) => {
      const el = scroller.current;
      held.current = el && item ? { item, offset: offsetOf(el, item), firstKey } : null;
    },
    [scroller, firstKey],
  );

  useLayoutEffect(() => {
    const el = scroller.current;
    const h = held.current;
    if (!el || !h || h.firstKey === firstKey) return;
    held.current = null;
    // By where it is on screen now: the browser's own scroll anchoring may have kept it already.
    if (h.item.isConnected) el.scrollTop += offsetOf(el, h.item) - h.offset;
  }, [scroller, firstKey]);

  return hold;
}

/** Where an item ends, from the top of its scroller's box. */
function offsetOf(scroller: HTMLElement, item: Element): number {
  return item.getBoundingClientRect().bottom - scroller.getBoundingClientRect().top;
}
