import type { CommandListing, ErrorFrame } from '../protocol/frames.js';
import type { ConversationListQuery, ConversationListResult } from '../protocol/conversation-archive.js';
import type { Conversation, Member, MemberRole, PublicUser } from '../protocol/message.js';
import { ClientError } from './client-error.js';
import { conversationPath, fetchBody, queryOf, type BinaryBody } from './http-content-calls.js';
import { PersonalCalls } from './http-personal-calls.js';

export type { BinaryBody } from './http-content-calls.js';

/** What login and register answer. */
export interface AuthResult {
  token: string;
  tokenId: string;
  expiresAt: string;
  user: PublicUser;
}

/**
 * The host's HTTP API (docs/protocol.md "HTTP API"), typed: the requests themselves, accounts,
 * profiles and conversations here; push, blocks and notification settings in PersonalCalls;
 * threads, search and attachments in ContentCalls. Every
 * failure is a ClientError with the answer's code, message, details and requestId, and its HTTP
 * status; `network_error` when the host could not be reached or answered something that is not the API's JSON.
 */
export class HttpApi extends PersonalCalls {
  /** The bearer token sent with every request; login and register set it, logout clears it. */
  token: string | null;
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;
  private readonly inFlight = new Set<Promise<unknown>>();

  /** `timeoutMs` (30000): how long a request may take before it fails with `timeout`. */
  constructor(opts: {
    baseUrl: string;
    token?: string | null | undefined;
    fetch?: typeof fetch | undefined;
    timeoutMs?: number | undefined;
  }) {
    super();
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

  /**
   * Resolves once none of this API's requests is in flight, those started meanwhile included; it
   * never rejects. Before a logout, so no request still on its way is refused with the revoked token.
   */
  async settled(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
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

  /** Changes the caller's display name; the members of their conversations get `user.updated`. */
  updateProfile(changes: { displayName: string }): Promise<PublicUser> {
    return this.request('PATCH', '/v1/me', changes);
  }

  /**
   * Makes an image (JPEG, PNG, WebP, GIF or AVIF, at most `attachments.maxBytes`) the caller's
   * avatar; the host stores it as a 256-pixel square WebP and answers with the new `avatarUrl`.
   */
  setAvatar(image: BinaryBody, type?: string): Promise<PublicUser> {
    return this.requestBytes('PUT', '/v1/me/avatar', image, type);
  }

  removeAvatar(): Promise<PublicUser> {
    return this.request('DELETE', '/v1/me/avatar');
  }

  /** The ids of the plugins running on the host (`payments`…), to offer only what it serves. */
  async plugins(): Promise<string[]> {
    return (await this.request<{ plugins: { id: string }[] }>('GET', '/v1/plugins')).plugins.map((p) => p.id);
  }

  /** A path the host gave (an `avatarUrl`, a file URL) as an absolute URL, e.g. for `<img src>`. */
  absoluteUrl(path: string): string {
    return this.baseUrl + path;
  }

  async conversations(): Promise<Conversation[]> {
    return (await this.conversationPage()).conversations;
  }

  /** The listing of one side (`archived` or not), a page at a time (`limit`, then `cursor: nextCursor`). */
  conversationPage(query: ConversationListQuery = {}): Promise<ConversationListResult> {
    return this.request('GET', `/v1/conversations${queryOf({ ...query })}`);
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
    return this.request('GET', `${conversationPath(id)}/members${queryOf(opts)}`);
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

  /** Mutes a conversation for me until a time (ISO), "forever", or unmutes it (null). */
  mute(id: string, until: string | null): Promise<Conversation> {
    return this.request('PUT', `${conversationPath(id)}/mute`, { until });
  }

  /** Archives a conversation for me (true), or unarchives it (false). */
  archive(id: string, archived: boolean): Promise<Conversation> {
    return this.request('PUT', `${conversationPath(id)}/archive`, { archived });
  }

  /** A group's rule for @all from plain members (owner or admin); null: the host's default. */
  setMembersMayMentionAll(id: string, allowed: boolean | null): Promise<Conversation> {
    return this.request('PUT', `${conversationPath(id)}/mention-all`, { membersMayMentionAll: allowed });
  }

  /** A URL the host answered (an attachment's `url`), absolute: for `<img src>` or a download. */
  fileUrl(url: string): string {
    return /^https?:/i.test(url) ? url : this.baseUrl + url;
  }

  /** Any route, plugin routes included (e.g. '/v1/plugins/payments/...'); a 204 resolves undefined. */
  request<T>(method: string, path: string, body?: unknown): Promise<T> {
    return this.send(
      method,
      path,
      body === undefined ? undefined : { body: JSON.stringify(body), type: 'application/json' },
    );
  }

  /** A route whose body is raw bytes (an image, a file), sent with their Content-Type. */
  requestBytes<T>(method: string, path: string, bytes: BinaryBody, type = 'application/octet-stream'): Promise<T> {
    return this.send(method, path, { body: fetchBody(bytes), type });
  }

  private async send<T>(
    method: string,
    path: string,
    payload?: { body: NonNullable<RequestInit['body']>; type: string },
  ): Promise<T> {
    const call = this.exchange<T>(method, path, payload);
    this.inFlight.add(call);
    try {
      return await call;
    } finally {
      this.inFlight.delete(call);
    }
  }

  private async exchange<T>(
    method: string,
    path: string,
    payload?: { body: NonNullable<RequestInit['body']>; type: string },
  ): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers['authorization'] = `Bearer ${this.token}`;
    if (payload) headers['content-type'] = payload.type;
    const fetchImpl = this.fetchImpl;
    const signal = AbortSignal.timeout(this.timeoutMs);
    let response: Response;
    try {
      response = await fetchImpl(this.baseUrl + path, {
        method,
        headers,
        signal,
        ...(payload ? { body: payload.body } : {}),
      });
    } catch (error) {
      throw signal.aborted ? ClientError.timeout(`${method} ${path}`) : ClientError.network(error);
    }
    const requestId = response.headers.get('x-request-id') ?? undefined;
    const answer = { status: response.status, requestId };
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      // A body cut off mid-read, or past the deadline.
      throw signal.aborted
        ? ClientError.timeout(`${method} ${path}`)
        : new ClientError('network_error', `The answer to ${method} ${path} was cut off.`, { ...answer, cause: error });
    }
    if (text === '') {
      if (response.ok) return undefined as T;
      throw new ClientError('network_error', `HTTP ${response.status} without an error body`, answer);
    }
    const parsed = parseJson(text);
    if (response.ok) {
      if (parsed === NOT_JSON) {
        throw new ClientError('network_error', `The answer to ${method} ${path} is not the API's JSON.`, answer);
      }
      return parsed as T;
    }
    const error = parsed === NOT_JSON ? undefined : (parsed as { error?: ErrorFrame['error'] } | null)?.error;
    if (error && typeof error.code === 'string') throw ClientError.fromBody(error, answer);
    throw new ClientError('network_error', `HTTP ${response.status} without an error body`, answer);
  }
}

const NOT_JSON = Symbol('not JSON');

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Not the API's JSON (a proxy's HTML page, say): the caller decides what that means.
    return NOT_JSON;
  }
}
