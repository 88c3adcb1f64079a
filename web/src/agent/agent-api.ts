import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { Message } from '../../../sdk/protocol/message.js';

/** The business plugin's agent and admin routes (docs/business.md, "HTTP API"), through the session's client. */
const BASE = '/plugins/business';

export type ThreadStatus = 'open' | 'pending' | 'snoozed' | 'resolved';
export type Priority = 'low' | 'normal' | 'high' | 'urgent';
export const STATUSES: readonly ThreadStatus[] = ['open', 'pending', 'snoozed', 'resolved'];
export const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high', 'urgent'];

export interface MyBusiness {
  id: string;
  name: string;
  role: 'admin' | 'agent';
}

export interface Thread {
  threadId: string;
  businessId: string;
  customerId: string;
  conversationId: string;
  status: ThreadStatus;
  priority: Priority;
  labels: string[];
  assignee: string | null;
  control: 'bot' | 'agents';
  snoozedUntil: string | null;
  lastCustomerMessageAt: string | null;
  createdAt: string;
}

export interface Agent {
  userId: string;
  role: 'admin' | 'agent';
  team: string | null;
  available: boolean;
  online: boolean;
}

export interface Note {
  noteId: string;
  authorId: string;
  text: string;
  createdAt: string;
}

export interface Canned {
  shortcode: string;
  text: string;
}

export interface CsatReport {
  responses: number;
  average: number | null;
  distribution: Record<string, number>;
  agents: { agentId: string; responses: number; average: number }[];
}

export interface InboxFilter {
  status?: string;
  priority?: string;
  assignee?: string;
  label?: string;
  team?: string;
}

/** The settings view (GET /businesses/:id/settings), as far as the console reads it. */
export interface BusinessSettings {
  id: string;
  name: string;
  hours: { timezone: string; weekly: Record<string, [string, string][]> } | null;
  awayMessage: string | null;
  routing: { mode: 'manual' | 'round_robin'; team?: string | null };
  webhookUrl: string | null;
  agentsConversationId: string | null;
  bot: string | null;
}

export interface ApiKey {
  keyId: string;
  prefix: string;
  createdAt: string;
  revokedAt: string | null;
}

export interface Delivery {
  deliveryId: string;
  url: string;
  status: string;
  attempts: number;
  events: number;
  lastError: string | null;
  createdAt: string;
}

/** The query string of an inbox filter: only the fields set; `team` is applied here (the API has no such filter). */
export function inboxQuery(filter: InboxFilter): string {
  const query = new URLSearchParams();
  for (const key of ['status', 'priority', 'assignee', 'label'] as const) {
    const value = filter[key];
    if (value) query.set(key, value);
  }
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/** The agent's view of the plugin's API; every call throws the client's error (code in words by the caller). */
export function agentApi(client: SwitchboardClient) {
  const call = <T>(method: string, path: string, body?: unknown) => client.http.request<T>(method, BASE + path, body);
  const biz = (id: string) => `/businesses/${encodeURIComponent(id)}`;
  const thread = (id: string) => `/threads/${encodeURIComponent(id)}`;
  return {
    myBusinesses: async () => (await call<{ businesses: MyBusiness[] }>('GET', '/businesses?mine=1')).businesses,
    settings: (id: string) => call<BusinessSettings>('GET', `${biz(id)}/settings`),
    patchSettings: (id: string, patch: Record<string, unknown>) =>
      call<BusinessSettings>('PATCH', `${biz(id)}/settings`, patch),
    inbox: async (id: string, filter: InboxFilter) =>
      (await call<{ threads: Thread[] }>('GET', `${biz(id)}/inbox${inboxQuery(filter)}`)).threads,
    agents: async (id: string) => (await call<{ agents: Agent[] }>('GET', `${biz(id)}/agents`)).agents,
    addAgent: (id: string, body: { userId: string; role?: string; team?: string | null }) =>
      call<Agent>('POST', `${biz(id)}/agents`, body),
    removeAgent: (id: string, userId: string) =>
      call<{ removed: boolean }>('DELETE', `${biz(id)}/agents/${encodeURIComponent(userId)}`),
    canned: async (id: string) => (await call<{ canned: Canned[] }>('GET', `${biz(id)}/canned`)).canned,
    createCanned: (id: string, body: Canned) => call<Canned>('POST', `${biz(id)}/canned`, body),
    deleteCanned: (id: string, shortcode: string) =>
      call<{ deleted: boolean }>('DELETE', `${biz(id)}/canned/${encodeURIComponent(shortcode)}`),
    setBot: (id: string, pluginId: string | null) => call<BusinessSettings>('PUT', `${biz(id)}/bot`, { pluginId }),
    csat: (id: string) => call<CsatReport>('GET', `${biz(id)}/csat`),
    apiKeys: async (id: string) => (await call<{ keys: ApiKey[] }>('GET', `${biz(id)}/api-keys`)).keys,
    createApiKey: (id: string) => call<{ keyId: string; key: string; prefix: string }>('POST', `${biz(id)}/api-keys`),
    revokeApiKey: (id: string, keyId: string) =>
      call<{ revoked: boolean }>('POST', `${biz(id)}/api-keys/${encodeURIComponent(keyId)}/revoke`),
    setWebhook: (id: string, url: string) =>
      call<{ url: string; secret: string }>('PUT', `${biz(id)}/webhook`, { url }),
    removeWebhook: (id: string) => call<{ removed: boolean }>('DELETE', `${biz(id)}/webhook`),
    deadLetters: async (id: string) =>
      (await call<{ deliveries: Delivery[] }>('GET', `${biz(id)}/webhook/deliveries?status=dead`)).deliveries,
    replay: (id: string, deliveryId: string) =>
      call<{ replayed: boolean }>('POST', `${biz(id)}/webhook/deliveries/${encodeURIComponent(deliveryId)}/replay`),

    thread: (id: string) => call<Thread>('GET', thread(id)),
    messages: (id: string, query: { before?: number; after?: number; limit?: number } = {}) => {
      const q = new URLSearchParams(Object.entries(query).map(([k, v]) => [k, String(v)])).toString();
      return call<{ messages: Message[]; hasMore: boolean }>('GET', `${thread(id)}/messages${q ? `?${q}` : ''}`);
    },
    send: (id: string, body: Record<string, unknown>) => call<Message>('POST', `${thread(id)}/messages`, body),
    notes: async (id: string) => (await call<{ notes: Note[] }>('GET', `${thread(id)}/notes`)).notes,
    addNote: (id: string, text: string) => call<Note>('POST', `${thread(id)}/notes`, { text }),
    assign: (id: string, agentId: string | null) => call<Thread>('POST', `${thread(id)}/assignee`, { agentId }),
    control: (id: string, action: 'take' | 'pass' | 'request') =>
      call<Thread>('POST', `${thread(id)}/control`, { action }),
    status: (id: string, status: ThreadStatus, snoozedUntil?: string) =>
      call<Thread>('POST', `${thread(id)}/status`, { status, ...(snoozedUntil ? { snoozedUntil } : {}) }),
    triage: (id: string, patch: { priority?: Priority; labels?: string[] }) =>
      call<Thread>('POST', `${thread(id)}/triage`, patch),
  };
}

export type AgentApi = ReturnType<typeof agentApi>;
