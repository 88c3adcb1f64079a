import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Message } from '../../../sdk/protocol/message.js';
import type { AgentApi } from './agent-api';

/** Agents are not members of the customer's conversation (no socket events): its newest page is asked for this often. */
const POLL_MS = 3_000;
const PAGE = 50;

export interface ThreadMessages {
  messages: Message[];
  hasOlder: boolean;
  error: unknown;
  loadOlder: () => Promise<void>;
  /** A message the console just sent, shown at once instead of at the next poll. */
  add: (message: Message) => void;
}

function merge(list: Message[], more: Message[]): Message[] {
  const byId = new Map(list.map((m) => [m.id, m]));
  for (const m of more) byId.set(m.id, m);
  return [...byId.values()].sort((a, b) => a.seq - b.seq);
}

/** A thread's customer conversation through GET /threads/:id/messages: the newest page, kept fresh, and older on demand. */
export function useThreadMessages(api: AgentApi, threadId: string): ThreadMessages {
  const [messages, setMessages] = useState<Message[]>([]);
  const [hasOlder, setHasOlder] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const first = useRef(true);
  useEffect(() => {
    let live = true;
    const poll = () =>
      api.messages(threadId, { limit: PAGE }).then(
        (page) => {
          if (!live) return;
          setMessages((list) => merge(list, page.messages));
          if (first.current) setHasOlder(page.hasMore);
          first.current = false;
          setError(null);
        },
        (failure: unknown) => live && setError(failure),
      );
    void poll();
    const timer = setInterval(() => void poll(), POLL_MS);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, [api, threadId]);
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
