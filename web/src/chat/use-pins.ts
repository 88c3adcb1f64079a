import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ClientState, Pin } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import { useSignedIn } from '../session/session-context';

const PIN_NOTICES = new Set(['system.message_pinned', 'system.message_unpinned']);

/**
 * The conversation's pins, newest first. The host announces every pin and unpin by a system
 * message, so the list is read again when the newest such notice changes (live, or caught up after
 * a reconnect); a deleted message leaves the list at once, as the host's list no longer has it.
 */
export function usePins(conversationId: string, messages: readonly Message[], state: ClientState): Pin[] {
  const { client } = useSignedIn();
  const [pins, setPins] = useState<Pin[]>([]);
  const notice = messages.findLast((m) => m.content !== null && PIN_NOTICES.has(m.content.type))?.id ?? '';
  useEffect(() => {
    if (state !== 'online') return;
    let current = true;
    client.pins(conversationId).then(
      (list) => current && setPins(list),
      // Offline or refused: the bar keeps what it showed; coming back online asks again.
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [client, conversationId, state, notice]);
  const deleted = new Set(messages.filter((m) => m.deletedAt).map((m) => m.id));
  return pins.filter((p) => !deleted.has(p.message.id));
}

/** What a message's actions need to offer Pin or Unpin: absent where pins are not offered (a thread's panel). */
export interface PinActions {
  isPinned: (messageId: string) => boolean;
  pin: (message: Message) => Promise<unknown>;
  unpin: (message: Message) => Promise<unknown>;
}

export const PinsContext = createContext<PinActions | null>(null);

export function usePinActions(): PinActions | null {
  return useContext(PinsContext);
}
