import { useCallback, useState } from 'preact/hooks';
import { useAction } from '../components/use-action';
import { useSignedIn } from '../session/session-context';

/** The taps of one message (or menu): which is in flight, the plugin's private reply, or why it failed. */
export interface Taps {
  /** The id being tapped, while its answer is awaited (every button of the message waits with it). */
  busy: string | null;
  /** The reply only the tapper sees (`reply.text`); nothing is stored in the conversation. */
  note: string | null;
  error: unknown;
  tap: (buttonId: string) => void;
  dismiss: () => void;
}

/** Taps through `send`, which answers with the private reply (or null): one tap at a time. */
export function useTaps(send: (buttonId: string) => Promise<string | null>): Taps {
  const action = useAction();
  const [which, setWhich] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const tap = (buttonId: string) => {
    setWhich(buttonId);
    setNote(null);
    void action.run(async () => setNote(await send(buttonId)));
  };
  const dismiss = () => {
    setNote(null);
    action.clear();
  };
  return { busy: action.busy ? which : null, note, error: action.error, tap, dismiss };
}

/** Taps a button or quick reply of a message: a `postback` to the plugin whose bot sent it. */
export function usePostback(conversationId: string, messageId: string): Taps {
  const { client } = useSignedIn();
  return useTaps(
    useCallback(
      async (buttonId: string) => (await client.postback(conversationId, messageId, buttonId)).reply?.text ?? null,
      [client, conversationId, messageId],
    ),
  );
}
