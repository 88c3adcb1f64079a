import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { mergePage } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import { useOnOnline } from '../session/client-hooks';
import type { AgentApi } from './agent-api';

const PAGE = 50;

export interface ThreadMessages {
  messages: Message[];
  hasOlder: boolean;
  error: unknown;
  loadOlder: () => Promise<void>;
  /** A message the console just sent, shown at once instead of when its announcement comes. */
  add: (message: Message) => void;
}

/** A new list for the state, merged as the client's cache merges pages (a newer state of a message wins). */
function merge(list: Message[], more: readonly Message[]): Message[] {
  const next = [...list];
  mergePage(next, more);
  return next;
}

/**
 * A thread's customer conversation through GET /threads/:id/messages: the newest page, and older
 * on demand. Agents are not members of the customer's conversation, so no socket event carries its
 * messages. What moves it is announced in the agents' room instead (`customer_messages` for the
 * customer's, `business_message` for the agents', the bot's and the backend's replies), on which the
 * thread view reads the newest page again: no timer. Coming back online, when announcements may
 * have been missed, the newest page is read again here.
 */
export function useThreadMessages(api: AgentApi, threadId: string): ThreadMessages {
  const [messages, setMessages] = useState<Message[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const first = useRef(true);
  // Bumped when the connection comes back: the effect below reads the newest page again.
  const [round, setRound] = useState(0);
  useOnOnline(() => setRound((n) => n + 1));
  useEffect(() => {
    let live = true;
    void api.messages(threadId, { limit: PAGE }).then(
      (page) => {
        if (!live) return;
        setMessages((list) => merge(list, page.messages));
        if (first.current) setHasOlder(page.hasMore);
        first.current = false;
        setError(null);
      },
      (failure: unknown) => live && setError(failure),
    );
    return () => {
      live = false;
    };
  }, [api, threadId, round]);
  const oldest = messages[0]?.seq;
  const loadOlder = useCallback(async () => {
    if (oldest === undefined) return;
    const page = await api.messages(threadId, { before: oldest, limit: PAGE });
    setMessages((list) => merge(list, page.messages));
    setHasOlder(page.hasMore);
  }, [api, threadId, oldest]);
  const add = useCallback((message: Message) => setMessages((list) => merge(list, [message])), []);
  return { messages, hasOlder, error, loadOlder, add };
}
