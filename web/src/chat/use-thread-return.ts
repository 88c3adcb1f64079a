import type { RefObject } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import { forgetThreadInAddress } from './thread-address';

/**
 * Opening and closing a conversation's thread panel, with the focus coming back where it was:
 * closed (Escape, "Close thread"), the panel takes its focus with it, so it goes back to what opened
 * it ("3 replies"), or, when that is gone (the actions' Thread button closes with them), to the
 * root's ⋯ button, its message, and last the composer (a thread opened from the address). Closed,
 * a thread the address named leaves it, so reloading does not open it again.
 */
export function useThreadReturn(
  rootId: string | null,
  setRootId: (id: string | null) => void,
  messages: readonly Message[],
  composer: RefObject<HTMLElement | null>,
) {
  const opener = useRef<Element | null>(null);
  const returning = useRef<string | null>(null);
  useEffect(() => {
    const closed = returning.current;
    if (rootId !== null || closed === null) return;
    returning.current = null;
    const seq = messages.find((m) => m.id === closed)?.seq;
    // The conversation's own log: the thread's list also shows its root.
    const item = seq === undefined ? null : document.querySelector(`.message-log [data-seq="${seq}"]`);
    const back = opener.current;
    opener.current = null;
    const target =
      (back instanceof HTMLElement && back.isConnected && back) ||
      item?.querySelector<HTMLElement>('.actions-toggle') ||
      (item instanceof HTMLElement ? item : null) ||
      composer.current;
    target?.focus();
  }, [rootId, messages, composer]);
  return {
    open: (id: string) => {
      const active = document.activeElement;
      opener.current = active && active !== document.body ? active : null;
      setRootId(id);
    },
    close: () => {
      returning.current = rootId;
      forgetThreadInAddress();
      setRootId(null);
    },
  };
}
