import type { Conversation, Message } from '../protocol/message.js';
import { readJson, writeJson, type ClientStore } from './client-store.js';
import type { UnreadState } from './unread-count.js';

/** Messages kept in the store per conversation: enough to render at once and to resume. */
const STORED_MESSAGES = 200;
/** Changes are written together shortly after they happen, not once per frame. */
const FLUSH_DELAY_MS = 50;

/** What the store keeps of a conversation (its messages are under a key of their own). */
export interface StoredEntry extends UnreadState {
  conversation: Conversation;
  lastMessage: Message | null;
  readSeqs: Record<string, number>;
  /** The resume position: the highest pts applied to the cached messages; null while none are. */
  pts: number | null;
  hasOlder: boolean;
}

/**
 * Keeps a user's conversation cache in a ClientStore: one key for the list, one per conversation
 * for its latest messages (read only when first needed). The list records, as a conversation's
 * position, the pts its messages were last written with, so a reload never resumes past messages
 * that were not stored (a full store fails the write, and the position stays behind).
 */
export class CachePersistence {
  private readonly lists = new Map<string, Message[]>();
  private readonly savedPts = new Map<string, number | null>();
  private readonly dirty = new Set<string>();
  /** Conversations whose stored messages are cut to the latest STORED_MESSAGES: older ones exist. */
  private readonly truncated = new Set<string>();
  private viewsDirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly store: ClientStore,
    private readonly prefix: string,
    private readonly onError: (error: unknown) => void,
    private readonly entries: () => StoredEntry[],
  ) {}

  loadEntries(): StoredEntry[] {
    const stored = readJson<StoredEntry[]>(this.store, this.viewsKey()) ?? [];
    for (const e of stored) this.savedPts.set(e.conversation.id, e.pts);
    return stored;
  }

  /** The cached messages of a conversation (the live array: callers mutate it, then mark it). */
  messages(id: string): Message[] {
    let list = this.lists.get(id);
    if (!list) {
      list = this.savedPts.get(id) != null ? (readJson<Message[]>(this.store, this.messagesKey(id)) ?? []) : [];
      this.lists.set(id, list);
    }
    return list;
  }

  /** Replaces a conversation's messages; null forgets them (and their stored copy). */
  setMessages(id: string, list: Message[] | null): void {
    if (list) {
      this.lists.set(id, list);
      this.markMessages(id);
      return;
    }
    this.lists.delete(id);
    this.dirty.delete(id);
    this.savedPts.set(id, null);
    this.store.delete(this.messagesKey(id));
    this.markViews();
  }

  markMessages(id: string): void {
    this.dirty.add(id);
    this.markViews();
  }

  markViews(): void {
    this.viewsDirty = true;
    this.timer ??= setTimeout(() => this.flush(), FLUSH_DELAY_MS);
  }

  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.viewsDirty && this.dirty.size === 0) return;
    const entries = this.entries();
    for (const e of entries) {
      const id = e.conversation.id;
      if (!this.dirty.has(id) || e.pts === null) continue;
      const list = this.lists.get(id) ?? [];
      if (list.length > STORED_MESSAGES) this.truncated.add(id);
      else this.truncated.delete(id);
      if (writeJson(this.store, this.messagesKey(id), list.slice(-STORED_MESSAGES), this.onError)) {
        this.savedPts.set(id, e.pts);
      }
    }
    this.dirty.clear();
    this.viewsDirty = false;
    const views = entries.map((e) => ({
      conversation: e.conversation,
      lastMessage: e.lastMessage,
      readSeqs: e.readSeqs,
      unreadCount: e.unreadCount,
      mentionCount: e.mentionCount,
      countedSeq: e.countedSeq,
      countedPts: e.countedPts,
      pts: e.pts === null ? null : (this.savedPts.get(e.conversation.id) ?? null),
      hasOlder: e.hasOlder || this.truncated.has(e.conversation.id),
    }));
    writeJson(this.store, this.viewsKey(), views, this.onError);
  }

  private viewsKey(): string {
    return `${this.prefix}conversations`;
  }

  private messagesKey(id: string): string {
    return `${this.prefix}messages/${id}`;
  }
}
