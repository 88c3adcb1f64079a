import { useLayoutEffect, useRef } from 'preact/hooks';
import { useSignedIn } from '../session/session-context';

/** A `business.inbox` message's body: how the inbox changed, and in which threads (docs/business.md, "Live updates for agents"). */
export interface InboxEvent {
  event: string;
  /** `threadId`, or a burst's `threadIds` (`customer_messages`). */
  threadIds: string[];
}

interface InboxBody {
  event?: string;
  threadId?: string;
  threadIds?: string[];
}

/**
 * Calls `onEvent` for each inbox change the plugin posts in the business's agents' room, heard over
 * the session's socket. The room is made at the business's first event: until the settings name
 * it, a conversation newly in my list may be it, so `onRoomMaybe` asks for the settings again.
 */
export function useInboxEvents(
  roomId: string | null | undefined,
  onEvent: (event: InboxEvent) => void,
  onRoomMaybe: () => void,
): void {
  const { client } = useSignedIn();
  const handlers = useRef({ onEvent, onRoomMaybe });
  handlers.current = { onEvent, onRoomMaybe };
  useLayoutEffect(() => {
    const offMessage = client.on('message', ({ conversationId, message, change }) => {
      if (!roomId || conversationId !== roomId || change !== 'created') return;
      const content = message.content;
      if (content?.type !== 'business.inbox') return;
      const body = 'body' in content ? (content.body as InboxBody | undefined) : undefined;
      const threadIds = Array.isArray(body?.threadIds) ? body.threadIds : [];
      handlers.current.onEvent({
        event: String(body?.event ?? ''),
        threadIds: body?.threadId ? [body.threadId, ...threadIds] : threadIds,
      });
    });
    const offList = client.on('conversations', () => {
      if (!roomId) handlers.current.onRoomMaybe();
    });
    return () => {
      offMessage();
      offList();
    };
  }, [client, roomId]);
}
