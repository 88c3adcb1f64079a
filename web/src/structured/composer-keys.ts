import { useLayoutEffect, useRef } from 'preact/hooks';

interface ComposerKeyHandlers {
  listboxId: string;
  activeId: string;
  onMove: (step: 1 | -1) => void;
  /** Enter (`run`: the composer may run the text as it is instead, then this answers false) or Tab. */
  onPick: (key: 'Enter' | 'Tab') => boolean;
  onHide: () => void;
}

/** The composer: the text field being typed in whose value is the picker's text. */
function composerOf(target: EventTarget | null, text: string): HTMLInputElement | HTMLTextAreaElement | null {
  const field = target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement ? target : null;
  return field && field.value === text ? field : null;
}

/**
 * While the command list is open (`text` not null), the composer's arrow keys, Enter, Tab and
 * Escape drive it, and the composer points at the list and its active option. The picker does not
 * own the composer (the chat's component does), so it listens on the document, before the
 * composer's own handlers (capture), and only to keys typed in a field holding exactly its text.
 */
export function useComposerKeys(text: string | null, handlers: ComposerKeyHandlers): void {
  const latest = useRef({ text, handlers });
  latest.current = { text, handlers };
  const open = text !== null;

  // A layout effect, reading the text from the ref: the listener must match the text of the commit
  // that shows the list. With a plain effect keyed by text, a key typed before the next paint met
  // the listener of the text before ("@b" for "@ba"), which let the composer send instead.
  useLayoutEffect(() => {
    if (!open) return;
    const onKey = (event: KeyboardEvent) => {
      if (event.isComposing || event.altKey || event.ctrlKey || event.metaKey) return;
      const { text, handlers } = latest.current;
      if (text === null || !composerOf(event.target, text)) return;
      const actions: Record<string, () => boolean> = {
        ArrowDown: () => {
          handlers.onMove(1);
          return true;
        },
        ArrowUp: () => {
          handlers.onMove(-1);
          return true;
        },
        Enter: () => handlers.onPick('Enter'),
        Tab: () => handlers.onPick('Tab'),
        Escape: () => {
          handlers.onHide();
          return true;
        },
      };
      const action = event.shiftKey ? undefined : actions[event.key];
      if (!action?.()) return;
      event.preventDefault();
      event.stopPropagation();
    };
    document.addEventListener('keydown', onKey, true);
    return () => document.removeEventListener('keydown', onKey, true);
  }, [open]);

  const { listboxId, activeId } = handlers;
  // In the same commit as the options' aria-selected (useEffect waits for a paint), so a screen
  // reader never hears the field point at an option the list no longer marks as active.
  useLayoutEffect(() => {
    if (text === null) return;
    const field = composerOf(document.activeElement, text);
    if (!field) return;
    field.setAttribute('aria-controls', listboxId);
    field.setAttribute('aria-activedescendant', activeId);
    field.setAttribute('aria-autocomplete', 'list');
    return () => {
      field.removeAttribute('aria-controls');
      field.removeAttribute('aria-activedescendant');
      field.removeAttribute('aria-autocomplete');
    };
  }, [text, listboxId, activeId]);
}
