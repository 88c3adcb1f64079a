import { useEffect, useId, useRef, useState } from 'preact/hooks';
import { ErrorNotice } from './error-notice';
import { useAction } from './use-action';

interface Props {
  /** The button's text; `name` is its accessible name when the text alone is not enough ("Remove" whom). */
  label: string;
  name?: string;
  question: string;
  confirm: string;
  cancel: string;
  /** The work done once confirmed; its failure is shown under the question, which stays. */
  onConfirm: () => Promise<void>;
}

/**
 * A button for what cannot be undone from here: it asks first, with the question and two buttons in
 * its place. Focus goes to the cancel button (a stray Enter keeps things as they are) and back to
 * the first button when the person cancels.
 */
export function ConfirmButton({ label, name, question, confirm, cancel, onConfirm }: Props) {
  const questionId = useId();
  const [asking, setAsking] = useState(false);
  // Done: the work succeeded and the screen is about to change (the member goes, the page moves on).
  const [done, setDone] = useState(false);
  const action = useAction();
  const trigger = useRef<HTMLButtonElement>(null);
  const keep = useRef<HTMLButtonElement>(null);
  const cancelled = useRef(false);
  useEffect(() => {
    if (asking) keep.current?.focus();
    else if (cancelled.current) trigger.current?.focus();
    cancelled.current = false;
  }, [asking]);
  if (!asking)
    return (
      <button type="button" class="danger" aria-label={name} ref={trigger} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  const stop = () => {
    cancelled.current = true;
    action.clear();
    setAsking(false);
  };
  const go = () =>
    void action.run(async () => {
      await onConfirm();
      setDone(true);
    });
  return (
    <div
      class="confirm-question"
      role="group"
      aria-labelledby={questionId}
      onKeyDown={(e) => e.key === 'Escape' && !action.busy && stop()}
    >
      <p id={questionId}>{question}</p>
      <ErrorNotice error={action.error} />
      <div class="button-row">
        <button type="button" class="danger" onClick={go} disabled={action.busy || done}>
          {confirm}
        </button>
        <button type="button" ref={keep} onClick={stop} disabled={action.busy || done}>
          {cancel}
        </button>
      </div>
    </div>
  );
}
