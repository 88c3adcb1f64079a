import { createContext, type RefObject } from 'preact';
import { useContext, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { StagedUploads } from '../attachments/use-staged-uploads';

/** What a refused send brings back to the composer it came from: all it was sent with. */
export interface Returned {
  /** Empty for files sent without a caption. */
  text: string;
  replyToId: string | null;
  attachmentIds: readonly string[];
}

/** Brings a refused send back to the composer that sent it, to be fixed and sent again. */
export interface DraftReturn {
  /** Whether this composer takes files back: one without files is not offered a send that had some. */
  takesFiles: boolean;
  putBack(returned: Returned): void;
}

const DraftReturnContext = createContext<DraftReturn | null>(null);

/** Given around the pending sends of one composer (the conversation's, or a thread's). */
export const DraftReturnProvider = DraftReturnContext.Provider;

/** The composer the pending sends shown here came from; null where none is (a read-only log). */
export function useDraftReturn(): DraftReturn | null {
  return useContext(DraftReturnContext);
}

/** What else a composer holds beside its text, for a refused send's to come back into. */
export interface DraftParts {
  /** Its staged files; a composer without them is not given files back. */
  staged?: StagedUploads;
  /** Makes the message with this id the one replied to again (when it is loaded). */
  replyTo?: (messageId: string) => void;
}

export interface Draft {
  text: string;
  setText: (text: string) => void;
  back: DraftReturn;
}

/**
 * A composer's text, held by the screen that shows both the composer and its pending sends, so
 * that a refused send can come back into it. Its text goes in front of what is typed now, on a line
 * of its own (nothing typed is lost); its files join those staged; the message it replied to is the
 * one replied to again. The composer takes the focus with the caret at the end: the Edit button
 * that asked is gone with its pending send.
 */
export function useDraft(input: RefObject<HTMLTextAreaElement | null>, parts: DraftParts = {}): Draft {
  const [text, setText] = useState('');
  const [returns, setReturns] = useState(0);
  // The screen's latest: putBack stays one function for the pending sends that hold it.
  const latest = useRef(parts);
  latest.current = parts;
  useLayoutEffect(() => {
    const box = input.current;
    if (returns === 0 || !box) return;
    box.focus();
    box.setSelectionRange(box.value.length, box.value.length);
  }, [returns, input]);
  const takesFiles = parts.staged !== undefined;
  const back = useMemo<DraftReturn>(
    () => ({
      takesFiles,
      putBack: (returned) => {
        if (returned.text !== '') setText((now) => (now.trim() === '' ? returned.text : `${returned.text}\n${now}`));
        if (returned.replyToId !== null) latest.current.replyTo?.(returned.replyToId);
        if (returned.attachmentIds.length > 0) latest.current.staged?.addUploaded(returned.attachmentIds);
        setReturns((n) => n + 1);
      },
    }),
    [takesFiles],
  );
  return { text, setText, back };
}
