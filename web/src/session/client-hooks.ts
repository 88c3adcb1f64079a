import { useCallback, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { BlockList, ClientState, ConversationView, PendingSend } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';
import { useSignedIn } from './session-context';

/** Hooks that read the session's client cache and render again when the client says it changed. */

/** A function that renders the caller again (for state kept outside Preact, such as the client's cache). */
export function useRerender(): () => void {
  const [, setTick] = useState(0);
  return useCallback(() => setTick((n) => n + 1), []);
}

/** The connection's state: online, offline (reconnecting)… */
export function useClientState(): ClientState {
  const { client } = useSignedIn();
  const [state, setState] = useState(client.state);
  useLayoutEffect(() => {
    setState(client.state);
    return client.on('state', setState);
  }, [client]);
  return state;
}

/**
 * Runs `again` each time the connection comes (back) online: what the host said while it was down
 * reaches the page only by asking again. The latest `again` runs; changing it re-subscribes nothing.
 */
export function useOnOnline(again: () => void): void {
  const { client } = useSignedIn();
  const latest = useRef(again);
  latest.current = again;
  useLayoutEffect(() => {
    let was = client.state;
    return client.on('state', (state) => {
      if (state === 'online' && was !== 'online') latest.current();
      was = state;
    });
  }, [client]);
}

/** The conversations, newest activity first, live. */
export function useConversationList(): ConversationView[] {
  const { client } = useSignedIn();
  const bump = useRerender();
  useLayoutEffect(() => {
    const offs = [client.on('conversations', bump), client.on('conversation', bump)];
    return () => offs.forEach((off) => off());
  }, [client, bump]);
  return client.conversations();
}

export interface ConversationData {
  view: ConversationView | undefined;
  messages: Message[];
  pending: PendingSend[];
  hasOlder: boolean;
}

/** One conversation's cached view, messages and unsent messages, live. */
export function useConversationData(conversationId: string): ConversationData {
  const { client } = useSignedIn();
  const bump = useRerender();
  useLayoutEffect(() => {
    const mine = (id: string) => {
      if (id === conversationId) bump();
    };
    const offs = [
      client.on('message', (e) => mine(e.conversationId)),
      client.on('conversation', (view) => mine(view.conversation.id)),
      client.on('conversations', bump),
      client.on('pending', mine),
      client.on('resync', mine),
    ];
    return () => offs.forEach((off) => off());
  }, [client, conversationId, bump]);
  return {
    view: client.conversation(conversationId),
    messages: client.messages(conversationId),
    pending: client.pending(conversationId),
    hasOlder: client.hasOlder(conversationId),
  };
}

/** Whom I block (client.blocks), live: changed here or on another of my devices. */
export function useBlocks(): BlockList {
  const { client } = useSignedIn();
  const bump = useRerender();
  useLayoutEffect(() => client.on('blocks', bump), [client, bump]);
  return client.blocks;
}
