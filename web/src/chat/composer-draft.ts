import { createContext, type RefObject } from 'preact';
import { useContext, useLayoutEffect, useMemo, useState } from 'preact/hooks';

/** Brings a refused send's text back to the composer that sent it, to be fixed and sent again. */
export interface DraftReturn {
  putBack(text: string): void;
}

const DraftReturnContext = createContext<DraftReturn | null>(null);

/** Given around the pending sends of one composer (the conversation's, or a thread's). */
export const DraftReturnProvider = DraftReturnContext.Provider;

/** The composer the pending sends shown here came from; null where none is (a read-only log). */
export function useDraftReturn(): DraftReturn | null {
  return useContext(DraftReturnContext);
}

export interface Draft {
  text: string;
  setText: (text: string) => void;
  back: DraftReturn;
}

/**
 * A composer's text, held by the screen that shows both the composer and its pending sends, so
 * that a refused send can come back into it. What comes back goes in front of what is typed now,
 * on a line of its own (nothing typed is lost), and the composer takes the focus with the caret at
 * the end: the Edit button that asked is gone with its pending send.
 */
export function useDraft(input: RefObject<HTMLTextAreaElement | null>): Draft {
  const [text, setText] = useState('');
  const [returns, setReturns] = useState(0);
  useLayoutEffect(() => {
    const box = input.current;
    if (returns === 0 || !box) return;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }, [returns, input]);
  const back = useMemo<DraftReturn>(
    () => ({
      putBack: (returned) => {
        setText((now) => (now.trim() === '' ? returned : `${returned}\n${now}`));
        setReturns((n) => n + 1);
      },
    }),
    [],
  );
  return { text, setText, back };
}
