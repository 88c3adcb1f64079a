import { localStorageStore, type ClientStore } from '../../../sdk/client/index.js';
import type { SwitchboardClient } from '../../../sdk/client/index.js';
import { userStorePrefix } from '../session/app-store';

/** The business plugin's HTTP API (docs/business.md), as a customer's client uses it. */
const BASE = '/plugins/business';

export interface BusinessThread {
  threadId: string;
  businessId: string;
  conversationId: string;
}

export type MenuItem = { id: string; label: string } | { label: string; url: string };

export interface BusinessProfile {
  id: string;
  name: string;
  about: string | null;
  verified: boolean;
  openNow: boolean;
  menu: MenuItem[];
}

/**
 * Which of my conversations are with which business. The business API answers the thread when the
 * customer opens the conversation (a profile, a link, a receipt), and no route maps a conversation
 * back to its business, so the client remembers it then, per person (removed at log out with the
 * rest of their data).
 */
function storeOf(userId: string): ClientStore {
  return localStorageStore(`${userStorePrefix(userId)}business:`);
}

export function rememberedThread(userId: string, conversationId: string): BusinessThread | null {
  const text = storeOf(userId).get(conversationId);
  if (text === null) return null;
  try {
    const thread = JSON.parse(text) as BusinessThread;
    return typeof thread.threadId === 'string' && typeof thread.businessId === 'string' ? thread : null;
  } catch {
    // Edited by hand or an older format: as if never remembered; opening it again restores it.
    return null;
  }
}

/** Opens (or finds) my conversation with a business and remembers it. */
export async function openBusinessConversation(
  client: SwitchboardClient,
  userId: string,
  businessId: string,
  opts: { source?: 'profile' | 'link' | 'receipt'; ref?: string } = {},
): Promise<BusinessThread> {
  const thread = await client.http.request<BusinessThread>(
    'POST',
    `${BASE}/businesses/${encodeURIComponent(businessId)}/conversations`,
    { source: opts.source ?? 'link', ...(opts.ref ? { ref: opts.ref } : {}) },
  );
  const { threadId, conversationId } = thread;
  storeOf(userId).set(conversationId, JSON.stringify({ threadId, businessId: thread.businessId, conversationId }));
  return thread;
}

export function businessProfile(client: SwitchboardClient, businessId: string): Promise<BusinessProfile> {
  return client.http.request('GET', `${BASE}/businesses/${encodeURIComponent(businessId)}`);
}

/** A tap on a postback item of the persistent menu; answers the text to show, as a tap does. */
export async function tapMenuItem(client: SwitchboardClient, threadId: string, itemId: string): Promise<string> {
  const answer = await client.http.request<{ text: string }>(
    'POST',
    `${BASE}/threads/${encodeURIComponent(threadId)}/menu`,
    { itemId },
  );
  return answer.text;
}
