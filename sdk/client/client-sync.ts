import type {
  HistoryResult,
  MessageCreatedFrame,
  MessageUpdatedFrame,
  PresenceResult,
  ReadyFrame,
  ResumeResult,
  ServerFrame,
} from '../protocol/frames.js';
import type { Conversation, Message, PublicUser } from '../protocol/message.js';
import { ClientError, toClientError } from './client-error.js';
import type { ClientEvents, ConversationView } from './client-types.js';
import type { ConversationCache, FrameOutcome } from './conversation-cache.js';
import type { TypedEmitter } from './event-emitter.js';
import type { HttpApi } from './http-api.js';
import { subscribeBatches, type PresenceTracker } from './presence-tracker.js';
import type { RequestFrame, SocketSession } from './socket-session.js';
import type { TypingTracker } from './typing-tracker.js';
import type { UserScope } from './user-scope.js';
import type { BlockList } from './block-list.js';
import { changesListing, saysILeft } from './listing-notices.js';

type ChangeFrame = MessageCreatedFrame | MessageUpdatedFrame;

export interface SyncDeps {
  events: TypedEmitter<ClientEvents>;
  http: HttpApi;
  presence: PresenceTracker;
  typing: TypingTracker;
  blocks: BlockList;
  scope(): UserScope;
  /** The current connection, online or catching up. */
  session(): SocketSession | null;
  adoptUser(user: PublicUser): void;
}

/**
 * Keeps the cache in step with the host: catching up after each `ready` (resume with the stored
 * positions, the conversation list over HTTP, presence subscriptions again), then every pushed
 * frame, and the client's own answers. It turns each change into the client's events.
 */
export class ClientSync {
  /** Conversations reloaded on this connection (a resync frame, then the resume's status). */
  private readonly resynced = new Set<string>();
  /** Changes of conversations not yet in the cache, held while the conversation is fetched. */
  private readonly unknown = new Map<string, ChangeFrame[]>();

  constructor(private readonly deps: SyncDeps) {}

  async catchUp(session: SocketSession, ready: ReadyFrame): Promise<void> {
    this.deps.adoptUser(ready.user);
    this.deps.events.emit('ready', ready);
    const cache = this.cache();
    cache.clearStreamStarts();
    this.resynced.clear();
    // Resume goes first, at once: the host holds live changes back until it arrives.
    const resumed = session.request<ResumeResult>({
      type: 'resume',
      conversations: cache.positions(ready.limits.maxPayloadBytes),
    });
    const refreshed = this.refreshConversations().catch((error) => this.report(error));
    const blocked = this.deps.blocks.refresh().catch((error) => this.report(error));
    const result = await resumed;
    for (const status of result.conversations) {
      if (status.status === 'caught_up') cache.caughtUp(status.conversationId, status.pts);
      else if (status.status === 'resync') void this.resync(status.conversationId, status.pts);
      else this.remove(status.conversationId);
    }
    for (const joined of result.joined) cache.setStreamStart(joined.conversationId, joined.pts);
    await Promise.all([refreshed, blocked]);
    await this.subscribe(session, this.deps.presence.followed()).catch((error) => this.report(error));
  }

  onFrame(frame: ServerFrame): void {
    const { events } = this.deps;
    switch (frame.type) {
      case 'message.created':
      case 'message.updated':
        this.applyFrame(frame);
        return;
      case 'receipt':
        if (this.cache().applyReceipt(frame)) this.emitView(frame.conversationId);
        events.emit('receipt', frame);
        return;
      case 'typing':
        this.deps.typing.apply(frame);
        events.emit('typing', frame);
        return;
      case 'presence':
        if (this.deps.presence.apply(frame)) events.emit('presence', frame);
        return;
      case 'resync':
        void this.resync(frame.conversationId, frame.pts);
        return;
      case 'conversation.mute':
      case 'conversation.archive': {
        const { type: _type, conversationId, ...settings } = frame;
        if (this.cache().applyOwnSettings(conversationId, settings)) this.emitView(conversationId);
        return;
      }
      case 'thread.read':
        events.emit('threadRead', frame);
        return;
      case 'thread.unread':
        events.emit('threadUnread', frame);
        return;
      case 'user.block':
        this.deps.blocks.apply(frame);
        return;
      case 'user.updated':
        // My own profile, changed on any device: `client.user` and the stored copy follow.
        if (frame.user.id === this.deps.scope().userId) this.deps.adoptUser(frame.user);
        events.emit('user', frame.user);
        return;
      case 'error':
        this.report(ClientError.fromBody(frame.error));
        return;
      default:
        return;
    }
  }

  /** A message from the answer to one of my requests (`created`: a send's). */
  applyOwn(message: Message, created: boolean): void {
    const outcome = this.cache().applyOwn(message, created);
    if (outcome) this.announce(message.conversationId, outcome);
  }

  /** The answer to my mute or archive: a conversation the cache does not know yet joins it with them. */
  ownSettings(conversation: Conversation): ConversationView {
    const cache = this.cache();
    const { id, mutedUntil, archivedAt } = conversation;
    if (cache.applyOwnSettings(id, { mutedUntil, archivedAt })) this.emitView(id);
    else this.addConversation(conversation);
    return cache.view(id)!; // in the cache now, whichever way it got there
  }

  async refreshConversations(): Promise<ConversationView[]> {
    if (this.deps.scope().userId === null) this.deps.adoptUser(await this.deps.http.me());
    const cache = this.cache();
    const generation = cache.beginListing();
    const conversations = await this.deps.http.conversations();
    // Another user connected meanwhile: this list is not theirs.
    if (cache !== this.cache()) return this.cache().views();
    cache.setListing(conversations, generation);
    const views = cache.views();
    this.deps.events.emit('conversations', views);
    return views;
  }

  /** The page before the oldest cached message (the latest page when none is cached) into the cache. */
  async loadPage(
    conversationId: string,
    limit: number,
    request: (frame: RequestFrame) => Promise<HistoryResult>,
  ): Promise<Message[]> {
    const cache = this.cache();
    if (!cache.has(conversationId)) this.addConversation(await this.deps.http.conversation(conversationId));
    const before = cache.oldestSeq(conversationId);
    const page = await request({
      type: 'history',
      conversationId,
      limit,
      ...(before === null ? {} : { before }),
    });
    cache.loadPage(conversationId, page);
    this.emitView(conversationId);
    return page.messages;
  }

  /** Subscribes to these users' presence; rejects if a batch is refused (the others' answers still count). */
  async subscribe(session: SocketSession, userIds: readonly string[]): Promise<void> {
    await Promise.all(
      subscribeBatches(userIds).map(async (ids) => {
        const { presence } = await session.request<PresenceResult>({ type: 'presence.subscribe', userIds: ids });
        for (const frame of this.deps.presence.record(presence)) this.deps.events.emit('presence', frame);
      }),
    );
  }

  private applyFrame(frame: ChangeFrame): void {
    const held = this.unknown.get(frame.conversationId);
    if (held) {
      held.push(frame);
      return;
    }
    const outcome = this.cache().applyFrame(frame);
    if (outcome === 'unknown') {
      this.fetchUnknown(frame);
      return;
    }
    if (!outcome) return;
    const scope = this.deps.scope();
    if (frame.type === 'message.created' && frame.message.senderId === scope.userId)
      scope.outbox.arrived(frame.message);
    this.announce(frame.conversationId, outcome);
    if (saysILeft(frame.message, scope.userId)) this.remove(frame.conversationId);
    else if (frame.type === 'message.created' && changesListing(frame.message)) this.refetch(frame.conversationId);
  }

  /** The title or the members changed: the host's listing of the conversation says how. */
  private refetch(id: string): void {
    const cache = this.cache();
    this.deps.http.conversation(id).then(
      (conversation) => {
        // Left meanwhile, or another user connected: this answer is no longer wanted.
        if (cache === this.cache() && cache.has(id)) this.addConversation(conversation);
      },
      (error: unknown) => {
        // Not a member any more: the frame that says so removes it.
        if (!(error instanceof ClientError && error.code === 'conversation_not_found')) this.report(error);
      },
    );
  }

  /** A change in a conversation the cache does not know (I was just added): fetch it, then apply. */
  private fetchUnknown(frame: ChangeFrame): void {
    const id = frame.conversationId;
    this.unknown.set(id, [frame]);
    const cache = this.cache();
    this.deps.http.conversation(id).then(
      (conversation) => {
        const held = this.unknown.get(id) ?? [];
        this.unknown.delete(id);
        if (cache !== this.cache()) return;
        this.addConversation(conversation);
        for (const f of held) this.applyFrame(f);
      },
      (error) => {
        this.unknown.delete(id);
        this.report(error);
      },
    );
  }

  /** Too far behind to resume: drop the cached messages and load the latest page again. */
  private async resync(conversationId: string, pts: number): Promise<void> {
    if (this.resynced.has(conversationId)) return;
    this.resynced.add(conversationId);
    const cache = this.cache();
    cache.resetForResync(conversationId, pts);
    this.emitView(conversationId);
    try {
      const session = this.deps.session();
      if (!session) throw ClientError.offline();
      const page = await session.request<HistoryResult>({ type: 'history', conversationId });
      cache.loadPage(conversationId, page);
      this.deps.events.emit('resync', conversationId);
      this.emitView(conversationId);
    } catch (error) {
      this.report(error);
    }
  }

  private addConversation(conversation: Conversation): void {
    if (this.cache().upsertConversation(conversation)) this.deps.events.emit('conversations', this.cache().views());
    else this.emitView(conversation.id);
  }

  private remove(conversationId: string): void {
    if (this.cache().remove(conversationId)) this.deps.events.emit('conversations', this.cache().views());
  }

  private announce(conversationId: string, outcome: FrameOutcome): void {
    const { events } = this.deps;
    if (outcome.change) events.emit('message', { conversationId, message: outcome.message, change: outcome.change });
    if (outcome.threadRoot) events.emit('thread', { conversationId, root: outcome.threadRoot });
    this.emitView(conversationId);
    if (outcome.orderChanged) events.emit('conversations', this.cache().views());
  }

  /** Tells listeners a conversation's view changed. */
  emitView(conversationId: string): void {
    const view = this.cache().view(conversationId);
    if (view) this.deps.events.emit('conversation', view);
  }

  private report(error: unknown): void {
    this.deps.events.emit('error', toClientError(error));
  }

  private cache(): ConversationCache {
    return this.deps.scope().cache;
  }
}
