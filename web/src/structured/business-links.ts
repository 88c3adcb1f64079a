import { ClientError, localStorageStore, type ClientStore, type SwitchboardClient } from '../../../sdk/client/index.js';
import type { PublicUser } from '../../../sdk/protocol/message.js';
import { directoryOf } from '../people/people';
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
 * Which of my conversations are with which business, remembered per person (removed at log out
 * with the rest of their data) once the business API said so: when the customer opens the
 * conversation (a profile, a link, a receipt), or when asked for the conversation's thread.
 */
function storeOf(userId: string): ClientStore {
  return localStorageStore(`${userStorePrefix(userId)}business:`);
}

function rememberedThread(userId: string, conversationId: string): BusinessThread | null {
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

/** Conversations the business API said are no business's this session (no second request for them). */
const notBusiness = new WeakMap<SwitchboardClient, Set<string>>();

/**
 * My conversation's business thread: remembered on this device, or asked of the business API (a
 * conversation opened on another device, or from the list). Only a group of me and a bot can be
 * one, so other conversations cost no lookup; one that is not answers `null`, as does any failure
 * (the conversation works without its menu).
 */
export async function businessThreadOf(
  client: SwitchboardClient,
  me: PublicUser,
  conversationId: string,
): Promise<BusinessThread | null> {
  const userId = me.id;
  const remembered = rememberedThread(userId, conversationId);
  if (remembered) return remembered;
  const conversation = client.conversation(conversationId)?.conversation;
  if (!conversation || conversation.kind !== 'group' || conversation.memberCount !== 2) return null;
  const known = notBusiness.get(client) ?? new Set<string>();
  notBusiness.set(client, known);
  if (known.has(conversationId)) return null;
  try {
    // The business's side is its bot user: a group of two people is no business's. Who the other
    // member is, and who they are, come from the people directory, which keeps both for the session
    // and shares them with the screens: opening the group again asks nothing.
    const directory = directoryOf(client, me);
    const otherId = await directory.partners.value(conversationId);
    const other = otherId ? await directory.users.value(otherId) : null;
    if (other?.kind !== 'bot') return null;
    const thread = await client.http.request<BusinessThread>(
      'GET',
      `${BASE}/conversations/${encodeURIComponent(conversationId)}/thread`,
    );
    storeOf(userId).set(conversationId, JSON.stringify(thread));
    return thread;
  } catch (err) {
    // No menu this time, whatever failed; only "no such thread" (or no business plugin) is final.
    if (err instanceof ClientError && err.status === 404) known.add(conversationId);
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
