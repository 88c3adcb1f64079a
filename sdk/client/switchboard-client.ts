import type {
  CommandResult,
  HistoryFrame,
  HistoryResult,
  MessageResult,
  Pin,
  PinResult,
  PinsResult,
  PresenceResult,
  PresenceStatus,
  ReadResult,
  SendResult,
} from '../protocol/frames.js';
import type { Message, MessageContent, PublicUser } from '../protocol/message.js';
import { ClientConnection } from './client-connection.js';
import { ClientError, toClientError } from './client-error.js';
import { memoryStore } from './client-store.js';
import type { ClientEvents, ClientOptions, ClientState, ConversationView, PendingSend } from './client-types.js';
import { ClientSync } from './client-sync.js';
import { BlockList } from './block-list.js';
import { TypedEmitter } from './event-emitter.js';
import { HttpApi } from './http-api.js';
import type { OutboxHooks } from './outbox.js';
import { sendFrame, toContent } from './outgoing-frames.js';
import { PresenceTracker } from './presence-tracker.js';
import { randomUuid } from './random-uuid.js';
import { SingleFlight } from './single-flight.js';
import { ReconnectPolicy } from './reconnect-policy.js';
import type { RequestFrame } from './socket-session.js';
import { socketUrl } from './socket-url.js';
import { TypingTracker } from './typing-tracker.js';
import { UserScope } from './user-scope.js';

/**
 * A Switchboard client: one connection kept up with reconnects and resume, a cache of the user's
 * conversations and their latest messages (persisted in the store), an outbox that gets every
 * message sent exactly once, and typed events. docs/client.md is its guide.
 */
export class SwitchboardClient {
  readonly http: HttpApi;
  /** Whom I block: list(), has(), block(), unblock() (docs/client.md, "Blocking people"). */
  readonly blocks: BlockList;
  private readonly events = new TypedEmitter<ClientEvents>();
  private readonly connection: ClientConnection;
  private readonly typingTracker: TypingTracker;
  private readonly presence = new PresenceTracker();
  private readonly sync: ClientSync;
  private scope: UserScope;
  private currentUser: PublicUser | null;
  private readonly loading = new SingleFlight<string, Message[]>();

  constructor(options: ClientOptions) {
    const store = options.store ?? memoryStore();
    const requestTimeoutMs = options.requestTimeoutMs ?? 15_000;
    const { baseUrl, token, fetch } = options;
    this.http = new HttpApi({ baseUrl, token, fetch, timeoutMs: requestTimeoutMs });
    const backoff = new ReconnectPolicy(options.reconnect?.initialDelayMs, options.reconnect?.maxDelayMs);
    this.typingTracker = new TypingTracker((id) => this.sync.emitView(id));
    this.connection = new ClientConnection(
      { url: socketUrl(baseUrl), WebSocket: options.WebSocket ?? globalThis.WebSocket, requestTimeoutMs, backoff },
      {
        token: () => this.http.token,
        sync: (session, ready) => this.sync.catchUp(session, ready),
        onFrame: (frame) => this.sync.onFrame(frame),
        onState: (state, error) => this.onState(state, error),
      },
    );
    const outboxHooks: OutboxHooks = {
      send: (item) => this.sendNow(item),
      isOnline: () => this.connection.state === 'online',
      onSent: (message) => this.sync.applyOwn(message, true),
      onChange: (conversationId, pending) => this.events.emit('pending', conversationId, pending),
      onStoreError: (error) => this.events.emit('error', toClientError(error)),
      retryDelayMs: (attempts) => backoff.delay(attempts),
    };
    // A block changes which mentions count: the host counts them again.
    this.blocks = new BlockList(this.http, this.events, () =>
      this.refreshConversations().catch((error: unknown) => this.events.emit('error', toClientError(error))),
    );
    const last = UserScope.last(store, (id) => this.typingTracker.of(id), outboxHooks, this.blocks.ids);
    this.currentUser = last.user;
    this.scope = last.scope;
    this.sync = new ClientSync({
      events: this.events,
      http: this.http,
      presence: this.presence,
      typing: this.typingTracker,
      blocks: this.blocks,
      scope: () => this.scope,
      session: () => this.connection.current(),
      adoptUser: (user) => this.adoptUser(user),
    });
  }

  /** The connected user (from `ready`; before the first connection, the store's last one). */
  get user(): PublicUser | null {
    return this.currentUser;
  }

  get state(): ClientState {
    return this.connection.state;
  }

  on<E extends keyof ClientEvents>(event: E, listener: ClientEvents[E]): () => void {
    return this.events.on(event, listener);
  }

  /** The token for the next connection and for HTTP (a new login's, after 'ended'; then connect()). */
  setToken(token: string | null): void {
    this.http.token = token;
  }

  connect(): Promise<void> {
    return this.connection.connect();
  }

  /** Offline, reconnects at once rather than after the backoff: call it when the network is back (the browser's `online` event). */
  reconnectNow(): void {
    this.connection.retryNow();
  }

  close(): void {
    this.connection.close();
    this.typingTracker.clear();
    this.scope.outbox.stop();
    this.scope.cache.flush();
  }

  conversations(): ConversationView[] {
    return this.scope.cache.views();
  }

  conversation(id: string): ConversationView | undefined {
    return this.scope.cache.view(id);
  }

  messages(conversationId: string): Message[] {
    return this.scope.cache.messages(conversationId);
  }

  hasOlder(conversationId: string): boolean {
    return this.scope.cache.hasOlder(conversationId);
  }

  pending(conversationId: string): PendingSend[] {
    return this.scope.outbox.pending(conversationId);
  }

  refreshConversations(): Promise<ConversationView[]> {
    return this.sync.refreshConversations();
  }

  /** The page before the oldest cached message; the latest page when none is cached. */
  loadOlder(conversationId: string, limit = 50): Promise<Message[]> {
    return this.loading.run(conversationId, () =>
      this.sync.loadPage(conversationId, limit, (frame) => this.connection.request<HistoryResult>(frame)),
    );
  }

  send(
    conversationId: string,
    content: MessageContent | string,
    opts: { replyToId?: string; threadRootId?: string; attachmentIds?: readonly string[] } = {},
  ): { clientMsgId: string; sent: Promise<Message> } {
    return this.scope.outbox.add(
      conversationId,
      toContent(content),
      opts.replyToId ?? null,
      opts.threadRootId ?? null,
      opts.attachmentIds,
    );
  }

  /** Forwards `message` into another conversation of mine, through the outbox as `send` (docs/client.md). */
  forward(message: Pick<Message, 'id' | 'conversationId' | 'content'>, toConversationId: string) {
    const of = { conversationId: message.conversationId, messageId: message.id };
    return this.scope.outbox.add(toConversationId, message.content ?? toContent(''), null, null, [], of);
  }

  retry(clientMsgId: string): void {
    this.scope.outbox.retry(clientMsgId);
  }

  discard(clientMsgId: string): void {
    this.scope.outbox.discard(clientMsgId);
  }

  edit(conversationId: string, messageId: string, content: MessageContent | string): Promise<Message> {
    return this.change({ type: 'edit', conversationId, messageId, content: toContent(content) });
  }

  delete(conversationId: string, messageId: string): Promise<Message> {
    return this.change({ type: 'delete', conversationId, messageId });
  }

  react(conversationId: string, messageId: string, emoji: string, op: 'add' | 'remove'): Promise<Message> {
    return this.change({ type: 'react', conversationId, messageId, emoji, op });
  }

  /** Pins a message for every member (the host posts system.message_pinned); again: the pin it has. */
  async pin(conversationId: string, messageId: string): Promise<Pin> {
    return (await this.connection.request<PinResult>({ type: 'pin', conversationId, messageId })).pin;
  }

  /** Unpins a message (system.message_unpinned); one not pinned is left as it is. */
  async unpin(conversationId: string, messageId: string): Promise<void> {
    await this.connection.request({ type: 'unpin', conversationId, messageId });
  }

  /** The conversation's pinned messages, newest pin first (not cached: ask again on a pin notice). */
  async pins(conversationId: string): Promise<Pin[]> {
    return (await this.connection.request<PinsResult>({ type: 'pins', conversationId })).pins;
  }

  /** Moves my read watermark (to the newest message known unless `seq` is given); resolves with it. */
  async markRead(conversationId: string, seq?: number): Promise<number> {
    const cache = this.scope.cache;
    const target = seq ?? cache.newestSeq(conversationId);
    const result = await this.connection.request<ReadResult>({ type: 'read', conversationId, seq: target });
    cache.setMyRead(conversationId, result.seq);
    this.sync.emitView(conversationId);
    return result.seq;
  }

  /** Mutes it for me until a time (ISO), "forever", or unmutes it (null); counts still count. My devices follow. */
  async mute(conversationId: string, until: string | null): Promise<ConversationView> {
    return this.sync.ownSettings(await this.http.mute(conversationId, until));
  }

  /** Archives the conversation for me, or unarchives it; new messages leave it archived. My devices follow. */
  async archive(conversationId: string, archived: boolean): Promise<ConversationView> {
    return this.sync.ownSettings(await this.http.archive(conversationId, archived));
  }

  /** Tells the others I am typing; not queued: dropped while offline. */
  typing(conversationId: string, state: 'started' | 'stopped'): void {
    this.connection.online()?.sendOneWay({ type: 'typing', conversationId, state });
  }

  history(conversationId: string, opts: Pick<HistoryFrame, 'before' | 'after' | 'limit'> = {}): Promise<HistoryResult> {
    return this.connection.request({ type: 'history', conversationId, ...opts });
  }

  /** A slash command; send the same idempotencyKey again to retry one without running it twice. */
  command(conversationId: string, text: string, idempotencyKey: string = randomUuid()): Promise<CommandResult> {
    return this.connection.request({ type: 'command', conversationId, text, idempotencyKey });
  }

  postback(conversationId: string, messageId: string, buttonId: string): Promise<CommandResult> {
    return this.connection.request({ type: 'postback', conversationId, messageId, buttonId });
  }

  /**
   * Follows users' presence, now and after every reconnect; resolves with their current status. Only users not
   * followed yet are asked for (offline, it rejects only if there are such), so calling it again costs nothing.
   */
  subscribePresence(userIds: readonly string[]): Promise<PresenceResult['presence']> {
    return this.presence.subscribe(userIds, (fresh) => this.sync.subscribe(this.connection.onlineSession(), fresh));
  }

  presenceOf(userId: string): { status: PresenceStatus; lastSeenAt: string | null } | undefined {
    return this.presence.of(userId);
  }

  /** An outbox attempt; a conversation not cached yet (just made by `http.direct()`) is opened first, as loadOlder() does. */
  private async sendNow(item: PendingSend): Promise<SendResult> {
    // Not opened (not a member, offline): the send itself then fails with the same code.
    if (!this.scope.cache.has(item.conversationId)) await this.loadOlder(item.conversationId).catch(() => undefined);
    return this.connection.request<SendResult>(sendFrame(item));
  }

  private async change(frame: RequestFrame): Promise<Message> {
    const { message } = await this.connection.request<MessageResult>(frame);
    this.sync.applyOwn(message, false);
    return message;
  }

  private adoptUser(user: PublicUser): void {
    this.currentUser = user;
    const next = this.scope.switchTo(user);
    if (next === this.scope) return;
    this.scope = next;
    this.blocks.clear();
    this.events.emit('conversations', next.cache.views());
  }

  private onState(state: ClientState, error?: ClientError): void {
    if (state === 'offline' || state === 'ended') {
      this.typingTracker.clear();
      this.scope.cache.flush();
    }
    this.events.emit('state', state);
    if (state === 'ended' && error) this.events.emit('error', error);
    if (state === 'online') this.scope.outbox.drain();
  }
}
