import type { Message } from '../../../sdk/protocol/message.js';
import { threadHref } from '../chat/thread-address';

/** What a search's address says: its words, and its filters (a conversation, only with files). */
export interface SearchAddress {
  query: string;
  conversationId: string;
  withAttachments: boolean;
}

/** The search the address holds (`/search?q=…&in=…&files=1`); an empty query when it holds none. */
export function searchInAddress(): SearchAddress {
  const params = new URLSearchParams(location.search);
  return {
    query: params.get('q') ?? '',
    conversationId: params.get('in') ?? '',
    withAttachments: params.get('files') === '1',
  };
}

/** The address of a search: a reload, Back or a shared link searches again. */
export function searchHref({ query, conversationId, withAttachments }: SearchAddress): string {
  const params = new URLSearchParams({ q: query });
  if (conversationId) params.set('in', conversationId);
  if (withAttachments) params.set('files', '1');
  return `/search?${params.toString()}`;
}

/**
 * Where a hit opens (read by the conversation screen): its conversation scrolled to the message, or
 * for a reply in a thread, the thread's panel with that reply in view (the timeline does not show it).
 */
export function hitHref(message: Message): string {
  if (message.threadRootId) return threadHref(message.conversationId, message.threadRootId, message.seq);
  return `/c/${encodeURIComponent(message.conversationId)}#seq=${message.seq}`;
}
