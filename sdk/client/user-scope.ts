import type { PublicUser } from '../protocol/message.js';
import { ClientError } from './client-error.js';
import { readJson, writeJson, type ClientStore } from './client-store.js';
import { ConversationCache } from './conversation-cache.js';
import { Outbox, type OutboxHooks } from './outbox.js';

const USER_KEY = 'user';

/**
 * What the store holds for one user: their conversation cache and outbox, under keys of their
 * own, so a store shared by several accounts (one browser) never sends one user's queued messages
 * as another. Before the first connection the user is not known: sends queue in an anonymous
 * outbox, taken over by the first user to connect.
 */
export class UserScope {
  readonly cache: ConversationCache;
  readonly outbox: Outbox;

  private constructor(
    readonly userId: string | null,
    private readonly store: ClientStore,
    private readonly typingOf: (conversationId: string) => string[],
    private readonly hooks: OutboxHooks,
    private readonly blocked: ReadonlySet<string>,
  ) {
    const prefix = userId === null ? 'anonymous/' : `u/${userId}/`;
    this.cache = new ConversationCache(store, prefix, userId, blocked, typingOf, (error) => hooks.onStoreError(error));
    this.outbox = new Outbox(store, `${prefix}outbox`, hooks);
  }

  /** The scope of the user this store last connected as; `blocked`: BlockList.ids, for the mention counts. */
  static last(
    store: ClientStore,
    typingOf: (id: string) => string[],
    hooks: OutboxHooks,
    blocked: ReadonlySet<string>,
  ) {
    const user = readJson<PublicUser>(store, USER_KEY);
    return { user, scope: new UserScope(user?.id ?? null, store, typingOf, hooks, blocked) };
  }

  /** The scope for `user`: this one, or a new one that takes over anonymous sends. */
  switchTo(user: PublicUser): UserScope {
    writeJson(this.store, USER_KEY, user, (error) => this.hooks.onStoreError(error));
    if (user.id === this.userId) return this;
    this.cache.flush();
    const next = new UserScope(user.id, this.store, this.typingOf, this.hooks, this.blocked);
    if (this.userId === null) {
      next.outbox.adoptFrom(this.outbox);
    } else {
      this.outbox.stop(new ClientError('user_changed', 'Another user connected with this store.'));
    }
    return next;
  }
}
