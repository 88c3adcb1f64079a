import type {
  HistoryResult,
  MessageCreatedFrame,
  MessageUpdatedFrame,
  ReceiptFrame,
  ResumePosition,
} from '../protocol/frames.js';
import type { Conversation, Message } from '../protocol/message.js';
import { ActivityOrder } from './activity-order.js';
import type { ConversationView, MessageChange, OwnSettings } from './client-types.js';
import { activityOf, mergeListed, newEntry, noteMessage, viewOf, type CacheEntry } from './cache-entry.js';
import { CachePersistence } from './cache-persistence.js';
import type { ClientStore } from './client-store.js';
import { maxPts, mergePage, upsertMessage } from './message-list.js';
import { UncachedChanges } from './uncached-changes.js';
import { countChange, recountAfterRead } from './unread-count.js';
import { noteReply } from './thread-summary.js';
import { resumePositions } from './resume-positions.js';

export type FrameOutcome = {
  change: MessageChange | null;
  message: Message;
  orderChanged: boolean;
  threadRoot: Message | null; // the cached root whose thread summary this reply changed
};

/**
 * The conversations and messages of one user, as the host last told them: the list in activity
 * order, each conversation's latest messages, its resume position (the highest pts applied, set
 * only once messages are cached), unread and mention counts (no mention from anyone in `blocked`),
 * read watermarks. Persisted through CachePersistence: a reload renders at once and resumes.
 */
export class ConversationCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly order = new ActivityOrder((id) => activityOf(this.entries.get(id)!));
  private readonly streamStarts = new Map<string, number>();
  private readonly uncached = new UncachedChanges();
  private generationCounter = 0;

  private readonly persistence: CachePersistence;

  constructor(
    store: ClientStore,
    keyPrefix: string,
    private readonly me: string | null,
    private readonly blocked: ReadonlySet<string>,
    private readonly typingOf: (conversationId: string) => string[],
    onStoreError: (error: unknown) => void,
  ) {
    this.persistence = new CachePersistence(store, keyPrefix, onStoreError, () =>
      this.order.all.map((id) => this.entries.get(id)!),
    );
    for (const stored of this.persistence.loadEntries()) {
      // Entries stored before mention counts existed count none.
      this.entries.set(stored.conversation.id, { ...stored, mentionCount: stored.mentionCount ?? 0, generation: 0 });
      this.order.push(stored.conversation.id);
    }
  }

  views(): ConversationView[] {
    return this.order.all.map((id) => this.view(id)!);
  }

  view(id: string): ConversationView | undefined {
    const e = this.entries.get(id);
    return e ? viewOf(e, this.typingOf(id)) : undefined;
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  messages(id: string): Message[] {
    return [...this.list(id)];
  }

  hasOlder(id: string): boolean {
    const e = this.entries.get(id);
    if (!e) return false;
    if (e.pts === null) return e.conversation.lastSeq > 0;
    return e.hasOlder && (this.list(id)[0]?.seq ?? 2) > 1;
  }

  /** The oldest cached seq, or null when nothing is cached (the next page is the latest). */
  oldestSeq(id: string): number | null {
    const e = this.entries.get(id);
    return e && e.pts !== null ? (this.list(id)[0]?.seq ?? null) : null;
  }

  newestSeq(id: string): number {
    const e = this.entries.get(id);
    return Math.max(this.list(id).at(-1)?.seq ?? 0, e?.conversation.lastSeq ?? 0);
  }

  /** Starts a listing request: the generation to hand to setListing with its answer. */
  beginListing(): number {
    return ++this.generationCounter;
  }

  /** Takes the host's list; returns whether the list (members or order) changed. */
  setListing(conversations: readonly Conversation[], generation: number): boolean {
    const before = this.order.key();
    const listed = new Set(conversations.map((c) => c.id));
    for (const conversation of conversations) this.merge(conversation);
    for (const [id, e] of this.entries) if (!listed.has(id) && e.generation < generation) this.drop(id);
    this.order.relist(
      conversations.map((c) => c.id),
      (id) => this.entries.has(id),
    );
    this.persistence.markViews();
    return this.order.key() !== before;
  }

  /** One conversation from an HTTP answer; returns whether the list changed. */
  upsertConversation(conversation: Conversation): boolean {
    const isNew = !this.entries.has(conversation.id);
    this.merge(conversation);
    const moved = this.order.place(conversation.id);
    this.persistence.markViews();
    return isNew || moved;
  }

  remove(id: string): boolean {
    if (!this.entries.has(id)) return false;
    this.drop(id);
    this.order.remove(id);
    this.persistence.markViews();
    return true;
  }

  /** A live or resumed change; 'unknown' for a conversation not in the cache, null when already applied. */
  applyFrame(frame: MessageCreatedFrame | MessageUpdatedFrame): FrameOutcome | 'unknown' | null {
    const e = this.entries.get(frame.conversationId);
    if (!e) return 'unknown';
    if (e.pts !== null && frame.pts <= e.pts) return null;
    const id = e.conversation.id;
    const m = frame.message;
    const list = e.pts !== null ? this.list(id) : null;
    const cached = list?.find((c) => c.id === m.id);
    let change: MessageChange | null = null;
    if (list) {
      const updated = frame.type === 'message.updated';
      change = upsertMessage(list, m, updated ? { change: frame.change, insert: false } : { insert: true });
      e.pts = frame.pts;
    } else if (frame.type === 'message.created') {
      // The stream of this connection holds every change from here on: the cache can start here.
      this.persistence.setMessages(id, [m]);
      e.pts = frame.pts;
      e.hasOlder = m.seq > 1;
      change = 'created';
    }
    if (!cached && change === null) this.uncached.hold(id, m);
    countChange(e, frame, { me: this.me, blocked: this.blocked, myReadSeq: e.conversation.myReadSeq, before: cached });
    const threadRoot = list ? this.noteReply(list, m, change) : null;
    const orderChanged = this.noteMessage(e, m, frame.pts);
    this.persistence.markMessages(id);
    return { change, message: m, orderChanged, threadRoot };
  }

  /**
   * A message from an answer to my own request (`created` for a send; an edit, delete or reaction
   * otherwise). The position stays: earlier changes may still be on their way.
   */
  applyOwn(message: Message, created: boolean): FrameOutcome | null {
    const e = this.entries.get(message.conversationId);
    if (!e) return null;
    const list = e.pts !== null ? this.list(message.conversationId) : null;
    const change = list ? upsertMessage(list, message, { insert: created }) : null;
    const threadRoot = list ? this.noteReply(list, message, change) : null;
    const orderChanged = this.noteMessage(e, message, message.pts);
    this.persistence.markMessages(message.conversationId);
    return change || orderChanged ? { change, message, orderChanged, threadRoot } : null;
  }

  /** I muted, unmuted, archived or unarchived the conversation (on this device or another). */
  applyOwnSettings(conversationId: string, settings: OwnSettings): boolean {
    const e = this.entries.get(conversationId);
    if (!e) return false;
    e.conversation = { ...e.conversation, ...settings };
    this.persistence.markViews();
    return true;
  }

  applyReceipt(frame: ReceiptFrame): boolean {
    const e = this.entries.get(frame.conversationId);
    if (!e) return false;
    e.readSeqs[frame.userId] = Math.max(e.readSeqs[frame.userId] ?? 0, frame.seq);
    if (frame.userId === this.me) this.setMyRead(frame.conversationId, frame.seq);
    this.persistence.markViews();
    return true;
  }

  /** My watermark moved (markRead, or another of my devices read): unread follows. */
  setMyRead(id: string, seq: number, recount = false): void {
    const e = this.entries.get(id);
    if (!e || seq < e.conversation.myReadSeq || (seq === e.conversation.myReadSeq && !recount)) return;
    e.conversation = { ...e.conversation, myReadSeq: seq };
    if (this.me) e.readSeqs[this.me] = Math.max(e.readSeqs[this.me] ?? 0, seq);
    recountAfterRead(e, {
      me: this.me,
      blocked: this.blocked,
      myReadSeq: seq,
      lastSeq: e.conversation.lastSeq,
      cached: e.pts !== null ? this.list(id) : null,
    });
    this.persistence.markViews();
  }

  /** Where to resume: the conversations with cached messages, most active first, as one frame holds. */
  positions(maxFrameBytes: number): ResumePosition[] {
    const known = this.order.all.map((id) => ({ conversationId: id, pts: this.entries.get(id)!.pts }));
    const { positions, dropped } = resumePositions(known, maxFrameBytes);
    for (const id of dropped) this.untrack(id); // they start over, loaded again when opened
    return positions;
  }

  /** A resume answered caught_up: every change up to `pts` was sent before the answer. */
  caughtUp(id: string, pts: number): void {
    const e = this.entries.get(id);
    if (e && e.pts !== null && pts > e.pts) e.pts = pts;
  }

  /** Where this connection's stream of a conversation starts (a resume's `joined`). */
  setStreamStart(id: string, pts: number): void {
    this.streamStarts.set(id, pts);
  }

  clearStreamStarts(): void {
    this.streamStarts.clear();
  }

  /** Too far behind: the cached messages go; the stream continues from `pts`. */
  resetForResync(id: string, pts: number): void {
    const e = this.entries.get(id);
    if (!e) return;
    this.persistence.setMessages(id, []);
    e.pts = pts;
    e.hasOlder = true;
    this.persistence.markMessages(id);
  }

  /** A page of history: the latest one (nothing cached yet) or one before the oldest cached. */
  loadPage(id: string, page: HistoryResult): void {
    const e = this.entries.get(id);
    if (!e) return;
    if (e.pts === null) {
      // The page shows every change up to when it was read: any later one comes by the stream.
      e.pts = Math.max(maxPts(page.messages), this.streamStarts.get(id) ?? 0);
      this.persistence.setMessages(id, []);
    }
    mergePage(this.list(id), page.messages);
    this.uncached.applyTo(id, this.list(id));
    e.hasOlder = page.hasMore;
    const newest = page.messages.at(-1);
    if (newest) this.noteMessage(e, newest, newest.pts);
    this.persistence.markMessages(id);
  }

  /** Writes what changed now (the store is written shortly after changes otherwise). */
  flush(): void {
    this.persistence.flush();
  }

  private list(id: string): Message[] {
    return this.persistence.messages(id);
  }

  /** A reply seen or deleted: its cached root's summary follows. */
  private noteReply(list: Message[], m: Message, change: MessageChange | null): Message | null {
    return change === 'created' || change === 'deleted' ? noteReply(list, m, change) : null;
  }

  private merge(conversation: Conversation): void {
    const e = this.entries.get(conversation.id);
    if (!e) this.entries.set(conversation.id, newEntry(conversation, this.generationCounter));
    else if (!mergeListed(e, conversation)) this.setMyRead(conversation.id, e.conversation.myReadSeq, true);
  }

  /** Keeps lastMessage, lastSeq/lastPts and the order; returns whether the order changed. */
  private noteMessage(e: CacheEntry, m: Message, pts: number): boolean {
    const noted = noteMessage(e, m, pts);
    if (noted) this.persistence.markViews();
    return noted === 'newer' && this.order.place(e.conversation.id);
  }

  private untrack(id: string): void {
    const e = this.entries.get(id)!;
    e.pts = null;
    this.persistence.setMessages(id, null);
  }

  private drop(id: string): void {
    this.entries.delete(id);
    this.streamStarts.delete(id);
    this.uncached.forget(id);
    this.persistence.setMessages(id, null);
  }
}
