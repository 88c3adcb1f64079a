import type { RefObject } from 'preact';
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';

interface Caret {
  /** The field's text when it was measured: a caret read for another text says nothing of this one. */
  text: string;
  /** Null while a range is selected. */
  at: number | null;
}

export interface CaretTracking {
  /** Where the caret is in the composer's `text`; at its end until the field says otherwise. */
  at: number | null;
  /** Puts the caret at `at` once the field shows `text` (setting a field's value moves it to the end). */
  place: (text: string, at: number) => void;
}

/**
 * Follows the caret of a composer whose text is held by the component above it (`text`). Each
 * input event is measured with the text it typed, in the same render; moves without typing (arrow
 * keys, a click) come as selection changes, which the document hears for its fields.
 */
export function useCaret(input: RefObject<HTMLTextAreaElement | null>, text: string): CaretTracking {
  const [measured, setMeasured] = useState<Caret | null>(null);
  const placed = useRef<Caret | null>(null);

  const measure = useCallback(() => {
    const field = input.current;
    if (!field) return;
    const now = { text: field.value, at: field.selectionStart === field.selectionEnd ? field.selectionStart : null };
    setMeasured((before) => (before?.text === now.text && before.at === now.at ? before : now));
  }, [input]);

  useEffect(() => {
    const field = input.current;
    if (!field) return;
    // keyup and mouseup too: where a browser tells of no selection change in a field's text.
    const fieldEvents = ['input', 'keyup', 'mouseup', 'focus'] as const;
    for (const name of fieldEvents) field.addEventListener(name, measure);
    document.addEventListener('selectionchange', measure);
    return () => {
      for (const name of fieldEvents) field.removeEventListener(name, measure);
      document.removeEventListener('selectionchange', measure);
    };
  }, [input, measure]);

  // After the commit that gave the field its new value, before a key can meet the caret at the end.
  useLayoutEffect(() => {
    const field = input.current;
    const wanted = placed.current;
    if (!field || !wanted || field.value !== wanted.text) return;
    placed.current = null;
    field.setSelectionRange(wanted.at, wanted.at);
    measure();
  }, [input, text, measure]);

  const place = useCallback((text: string, at: number) => {
    placed.current = { text, at };
  }, []);
  const at = measured?.text === text ? measured.at : placed.current?.text === text ? placed.current.at : text.length;
  return { at, place };
}
