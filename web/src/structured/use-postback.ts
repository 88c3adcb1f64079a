import { useCallback, useState } from 'preact/hooks';
import { useSignedIn } from '../session/session-context';

/** The taps of one message: which is in flight, the plugin's private reply, or why it failed. */
export interface Taps {
  /** The id being tapped, while its answer is awaited (every button of the message waits with it). */
  busy: string | null;
  /** The reply only the tapper sees (`reply.text`); nothing is stored in the conversation. */
  note: string | null;
  error: unknown;
  tap: (buttonId: string) => void;
  dismiss: () => void;
}

/** Taps a button or quick reply of a message: a `postback` to the plugin whose bot sent it. */
export function usePostback(conversationId: string, messageId: string): Taps {
  const { client } = useSignedIn();
  const [busy, setBusy] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const tap = useCallback(
    (buttonId: string) => {
      setBusy(buttonId);
      setNote(null);
      setError(null);
      client.postback(conversationId, messageId, buttonId).then(
        (result) => {
          setNote(result.reply?.text ?? null);
          setBusy(null);
        },
        (failure: unknown) => {
          setError(failure);
          setBusy(null);
        },
      );
    },
    [client, conversationId, messageId],
  );
  const dismiss = useCallback(() => {
    setNote(null);
    setError(null);
  }, []);
  return { busy, note, error, tap, dismiss };
}
