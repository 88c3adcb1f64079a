import type { CommandListing } from '../protocol/frames.js';
import type { Conversation, Member, MemberRole, PublicUser } from '../protocol/message.js';
import { ClientError, type WireErrorBody } from './client-error.js';

/** What login and register answer. */
export interface AuthResult {
  token: string;
  tokenId: string;
  expiresAt: string;
  user: PublicUser;
}

/**
 * The host's HTTP API (docs/protocol.md "HTTP API"), typed. Every failure is a ClientError with
 * the answer's code, message, details and requestId, and its HTTP status; `network_error` when the
 * host could not be reached or answered something that is not the API's JSON.
 */
export class HttpApi {
  /** The bearer token sent with every request; login and register set it, logout clears it. */
  token: string | null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  /** `timeoutMs` (30000): how long a request may take before it fails with `timeout`. */
  constructor(opts: { baseUrl: string; token?: string | null; fetch?: typeof fetch; timeoutMs?: number }) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.token = opts.token ?? null;
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    // Called unbound: a browser's fetch refuses to run with another object as `this`.
    this.fetchImpl = opts.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  async login(handle: string, password: string): Promise<AuthResult> {
    const result = await this.request<AuthResult>('POST', '/v1/auth/login', { handle, password });
    this.token = result.token;
    return result;
  }

  async register(handle: string, displayName: string, password: string): Promise<AuthResult> {
    const result = await this.request<AuthResult>('POST', '/v1/auth/register', { handle, displayName, password });
    this.token = result.token;
    return result;
  }

  /** Revokes the token in use (its sockets close with 4003) and forgets it. */
  async logout(): Promise<void> {
    await this.request<void>('POST', '/v1/auth/logout');
    this.token = null;
  }

  me(): Promise<PublicUser> {
    return this.request('GET', '/v1/me');
  }

  user(userId: string): Promise<PublicUser> {
    return this.request('GET', `/v1/users/${encodeURIComponent(userId)}`);
  }

  userByHandle(handle: string): Promise<PublicUser> {
    return this.request('GET', `/v1/users?handle=${encodeURIComponent(handle)}`);
  }

  async conversations(): Promise<Conversation[]> {
    return (await this.request<{ conversations: Conversation[] }>('GET', '/v1/conversations')).conversations;
  }

  conversation(id: string): Promise<Conversation> {
    return this.request('GET', conversationPath(id));
  }

  direct(userId: string): Promise<Conversation> {
    return this.request('POST', '/v1/conversations/direct', { userId });
  }

  createGroup(title: string, memberIds?: string[]): Promise<Conversation> {
    return this.request('POST', '/v1/conversations', memberIds ? { title, memberIds } : { title });
  }

  renameGroup(id: string, title: string): Promise<Conversation> {
    return this.request('PATCH', conversationPath(id), { title });
  }

  members(id: string, opts: { after?: string; limit?: number } = {}): Promise<{ members: Member[]; hasMore: boolean }> {
    const query = new URLSearchParams();
    if (opts.after !== undefined) query.set('after', opts.after);
    if (opts.limit !== undefined) query.set('limit', String(opts.limit));
    const suffix = query.size > 0 ? `?${query.toString()}` : '';
    return this.request('GET', `${conversationPath(id)}/members${suffix}`);
  }

  addMembers(id: string, userIds: string[], role?: 'admin' | 'member'): Promise<Conversation> {
    return this.request('POST', `${conversationPath(id)}/members`, role ? { userIds, role } : { userIds });
  }

  setRole(id: string, userId: string, role: MemberRole): Promise<Member> {
    return this.request('PATCH', `${conversationPath(id)}/members/${encodeURIComponent(userId)}`, { role });
  }

  removeMember(id: string, userId: string): Promise<void> {
    return this.request('DELETE', `${conversationPath(id)}/members/${encodeURIComponent(userId)}`);
  }

  leave(id: string): Promise<void> {
    return this.request('POST', `${conversationPath(id)}/leave`);
  }

  /** The slash commands the caller can run in the conversation. */
  async commands(id: string): Promise<CommandListing[]> {
    return (await this.request<{ commands: CommandListing[] }>('GET', `${conversationPath(id)}/commands`)).commands;
  }

  /** Any route, plugin routes included (e.g. '/v1/plugins/payments/...'); a 204 resolves undefined. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const fetchImpl = this.fetchImpl;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetchImpl(this.baseUrl + path, {
        method,
        headers,
        signal,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw signal.aborted ? ClientError.timeout(`${method} ${path}`) : ClientError.network(error);
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const text = await response.text().catch(() => {
      // A body cut off mid-read (or past the deadline): the status alone decides what the caller sees.
      return '';
    });
    const parsed = parseJson(text);
    if (!response.ok) {
      const error = (parsed as { error?: WireErrorBody } | undefined)?.error;
      if (error && typeof error.code === 'string') {
        throw ClientError.fromBody(error, { status: response.status, requestId });
      }
      throw new ClientError('network_error', `HTTP ${response.status} without an error body`, {
        status: response.status,
        requestId,
      });
    }
    return (text === '' ? undefined : parsed) as T;
  }
}

function conversationPath(id: string): string {
  return `/v1/conversations/${encodeURIComponent(id)}`;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not the API's JSON (a proxy's HTML page, say): the status decides what the caller sees.
    return undefined;
  }
}
