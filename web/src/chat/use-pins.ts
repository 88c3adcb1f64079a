import { createContext } from 'preact';
import { useContext, useEffect, useState } from 'preact/hooks';
import type { ClientState, Pin } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import { useSignedIn } from '../session/session-context';

const PIN_NOTICES = new Set(['system.message_pinned', 'system.message_unpinned']);

/**
 * The conversation's pins, newest first. The host announces every pin and unpin by a system
 * message, so the list is read again when the newest such notice changes (live, or caught up after
 * a reconnect); an edit or a delete of a pinned message shows at once.
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
  // Shown as the log has them now: an edit shows in the bar at once, a deleted message leaves it.
  const shown = new Map(messages.map((m) => [m.id, m]));
  return pins.flatMap((p) => {
    const message = shown.get(p.message.id) ?? p.message;
    return message.deletedAt ? [] : [{ ...p, message }];
  });
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
