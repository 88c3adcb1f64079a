import type { RefObject } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

/** Closer than this to the top loads the page before; to the bottom, new messages keep it in view. */
const EDGE_PX = 48;

export interface ScrollBack {
  onScroll: () => void;
  /** Loads the page before the oldest shown (the "earlier messages" button, and scrolling to the top). */
  loadEarlier: () => void;
  loading: boolean;
  /**
   * Opens the log at an item (where the unread messages start) rather than at the newest, when
   * the newest would leave it above the view; not once the person scrolled up themselves.
   */
  showFrom: (item: Element) => void;
  /** The person is reading further up than the newest messages (the "jump to the newest" button shows). */
  away: boolean;
  /** Back to the newest message, following new ones again. */
  jumpToLatest: () => void;
}

/**
 * The log's scrolling: it opens at the newest message (or, by showFrom, where the unread ones
 * start) and follows new ones while the person is at the bottom; at the top it loads older
 * messages and keeps what was on screen where it was, so reading back is not interrupted.
 * `firstKey`/`lastKey` name the oldest and newest items shown; a new item of mine is always
 * brought into view.
 */
export function useScrollBack(
  log: RefObject<HTMLElement | null>,
  opts: {
    firstKey: string;
    lastKey: string;
    /** The newest item is mine: show it wherever the person was. */
    followMine: boolean;
    hasOlder: boolean;
    loadOlder: () => Promise<unknown>;
  },
): ScrollBack {
  const { firstKey, lastKey, followMine, hasOlder, loadOlder } = opts;
  const atBottom = useRef(true);
  const anchor = useRef<{ height: number; top: number; firstKey: string; item: Element | null; end: number } | null>(
    null,
  );
  const [loading, setLoading] = useState(false);
  const busy = useRef(false);
  // The ref answers at once inside handlers; the state re-renders only when it flips, not per scroll.
  const [away, setAway] = useState(false);
  const measureBottom = useCallback((el: HTMLElement) => {
    atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < EDGE_PX;
    setAway(!atBottom.current);
  }, []);

  const loadEarlier = useCallback(() => {
    const el = log.current;
    if (!el || busy.current || !hasOlder) return;
    busy.current = true;
    setLoading(true);
    const item = el.querySelector('.message-list > [data-seq]');
    anchor.current = { height: el.scrollHeight, top: el.scrollTop, firstKey, item, end: endOf(el, item) };
    loadOlder()
      .catch(() => {
        // Offline or refused: the button stays, and scrolling up again tries again.
      })
      .finally(() => {
        busy.current = false;
        anchor.current = null;
        setLoading(false);
      });
  }, [log, hasOlder, loadOlder, firstKey]);

  const onScroll = useCallback(() => {
    const el = log.current;
    if (!el) return;
    measureBottom(el);
    if (el.scrollTop < EDGE_PX) loadEarlier();
  }, [log, loadEarlier, measureBottom]);

  const jumpToLatest = useCallback(() => {
    const el = log.current;
    if (!el) return;
    el.scrollTop = el.scrollHeight;
    measureBottom(el);
  }, [log, measureBottom]);

  const showFrom = useCallback(
    (item: Element) => {
      const el = log.current;
      if (!el || !atBottom.current) return;
      const top = item.getBoundingClientRect().top - el.getBoundingClientRect().top;
      if (top >= 0) return;
      // A little of what came before stays in view above it, as context.
      el.scrollTop = Math.max(0, el.scrollTop + top - EDGE_PX);
      measureBottom(el);
    },
    [log, measureBottom],
  );

  useLayoutEffect(() => {
    const el = log.current;
    if (!el) return;
    const a = anchor.current;
    if (a && a.firstKey !== firstKey) {
      // Older messages went in above: move down by what they added, so the same ones stay in view.
      // Measured at the end of what was the first message: it may itself change height, its
      // sender shown once for a run that now starts above it.
      el.scrollTop =
        a.item?.isConnected === true ? a.top + (endOf(el, a.item) - a.end) : a.top + (el.scrollHeight - a.height);
      anchor.current = null;
    } else if (atBottom.current || followMine) {
      el.scrollTop = el.scrollHeight;
      atBottom.current = true;
      setAway(false);
    }
    // Only a change of the newest or oldest item moves the log, not every render.
  }, [log, firstKey, lastKey]);

  // The log or its content changed size (the header grew, a line wrapped once a name arrived): stay at the bottom.
  useEffect(() => {
    const el = log.current;
    if (!el) return;
    const observer = new ResizeObserver(() => {
      if (atBottom.current && !anchor.current) el.scrollTop = el.scrollHeight;
    });
    observer.observe(el);
    for (const child of el.children) observer.observe(child);
    return () => observer.disconnect();
  }, [log]);

  // A first page too short to scroll cannot be scrolled up: fill the log until it can (or all is here).
  useEffect(() => {
    const el = log.current;
    if (el && hasOlder && el.scrollHeight <= el.clientHeight) loadEarlier();
  }, [log, hasOlder, firstKey, loadEarlier]);

  return { onScroll, loadEarlier, loading, showFrom, away, jumpToLatest };
}

/** Where an item of the log ends, from the top of the log's content (0 without one). */
function endOf(log: HTMLElement, item: Element | null): number {
  if (!item) return 0;
  return item.getBoundingClientRect().bottom - log.getBoundingClientRect().top + log.scrollTop;
}
