import { errorCatalog, isErrorCode } from '../errors/error-catalog.js';
import type { SendResult } from '../protocol/frames.js';
import type { Message, MessageContent } from '../protocol/message.js';
import { ClientError, toClientError } from './client-error.js';
import { readJson, writeJson, type ClientStore } from './client-store.js';
import type { PendingSend } from './client-types.js';
import { randomUuid } from './random-uuid.js';

/** The library's codes after which the same send may well succeed later. */
const PASSING = new Set(['offline', 'timeout', 'network_error']);

/** Whether the send stays queued: a passing failure, or one the catalog says may succeed later. */
function isPassing(code: string): boolean {
  return PASSING.has(code) || (isErrorCode(code) && errorCatalog[code].kind === 'system');
}

export interface OutboxHooks {
  /** Sends one message over the socket (with its own clientMsgId); rejects with a ClientError. */
  send(item: PendingSend): Promise<SendResult>;
  isOnline(): boolean;
  /** The host stored the message (a resend answered `duplicate: true` included). */
  onSent(message: Message): void;
  onChange(conversationId: string, pending: PendingSend[]): void;
  onStoreError(error: unknown): void;
  /** How long a conversation waits after a transient failure other than going offline. */
  retryDelayMs(attempts: number): number;
}

interface Waiter {
  resolve(message: Message): void;
  reject(error: ClientError): void;
}

/**
 * The messages not yet acknowledged, stored before anything is sent so a reload loses none. Each
 * conversation sends one at a time, in the order they were queued, so they are stored in that
 * order; every attempt reuses the message's clientMsgId, so a resend after a lost answer is
 * answered with the stored message instead of a second one.
 */
export class Outbox {
  private readonly items: PendingSend[];
  private readonly waiters = new Map<string, Waiter>();
  private readonly busy = new Set<string>();
  private readonly paused = new Map<string, ReturnType<typeof setTimeout>>();
  /**
   * The sends this outbox answers for: those it read at start, queued or adopted. The store may be
   * shared (two tabs of one browser): whatever else is stored belongs to another outbox, and is
   * kept when this one writes.
   */
  private readonly mine = new Set<string>();

  constructor(
    private readonly store: ClientStore,
    private readonly key: string,
    private readonly hooks: OutboxHooks,
  ) {
    // A send in flight when the page went away has no answer: it goes again.
    this.items = (readJson<PendingSend[]>(store, key) ?? []).map((item) =>
      item.state === 'sending' ? { ...item, state: 'queued' } : item,
    );
    for (const item of this.items) this.mine.add(item.clientMsgId);
  }

  add(
    conversationId: string,
    content: MessageContent,
    replyToId: string | null,
    threadRootId: string | null = null,
    attachmentIds: readonly string[] = [],
    forwardOf?: PendingSend['forwardOf'],
  ) {
    const item: PendingSend = {
      clientMsgId: randomUuid(),
      conversationId,
      content,
      replyToId,
      ...(threadRootId === null ? {} : { threadRootId }),
      ...(attachmentIds.length === 0 ? {} : { attachmentIds: [...attachmentIds] }),
      ...(forwardOf ? { forwardOf: { ...forwardOf } } : {}),
      createdAt: new Date().toISOString(),
      attempts: 0,
      state: 'queued',
    };
    this.items.push(item);
    this.mine.add(item.clientMsgId);
    this.changed(conversationId);
    const sent = new Promise<Message>((resolve, reject) => this.waiters.set(item.clientMsgId, { resolve, reject }));
    // The caller may ignore `sent` (the 'pending' and 'message' events say the same).
    sent.catch(() => undefined);
    this.drain();
    return { clientMsgId: item.clientMsgId, sent };
  }

  /** Takes over another outbox's sends and their callers (those queued before the user was known). */
  adoptFrom(other: Outbox): void {
    other.stop();
    // Nothing of it was in flight: the anonymous outbox never sends (no user, never online).
    const items = other.items.splice(0);
    for (const [id, waiter] of other.waiters) this.waiters.set(id, waiter);
    other.waiters.clear();
    other.store.delete(other.key);
    if (items.length === 0) return;
    this.items.push(...items);
    for (const item of items) this.mine.add(item.clientMsgId);
    for (const id of new Set(items.map((i) => i.conversationId))) this.changed(id);
    this.drain();
  }

  pending(conversationId: string): PendingSend[] {
    return this.items.filter((i) => i.conversationId === conversationId).map((item) => ({ ...item }));
  }

  /**
   * One of my sends came back as a change before its answer (both can come in one read of the
   * socket). It is committed: it leaves the outbox now, rather than show twice until the answer.
   */
  arrived(message: Message): void {
    const item = this.items.find(
      (i) => i.clientMsgId === message.clientMsgId && i.conversationId === message.conversationId,
    );
    if (item) this.succeeded(item, message);
  }

  retry(clientMsgId: string): void {
    const item = this.items.find((i) => i.clientMsgId === clientMsgId);
    if (!item || item.state !== 'failed') return;
    item.state = 'queued';
    delete item.error;
    this.changed(item.conversationId);
    this.drain();
  }

  discard(clientMsgId: string): void {
    const index = this.items.findIndex((i) => i.clientMsgId === clientMsgId);
    if (index < 0) return;
    const [item] = this.items.splice(index, 1);
    this.changed(item!.conversationId);
    this.settle(clientMsgId, (w) => w.reject(new ClientError('discarded', 'The send was discarded.')));
  }

  /** Sends the next queued message of every conversation that has none in flight. */
  drain(): void {
    if (!this.hooks.isOnline()) return;
    for (const conversationId of new Set(this.items.map((i) => i.conversationId))) {
      if (!this.busy.has(conversationId) && !this.paused.has(conversationId)) this.sendNext(conversationId);
    }
  }

  /** Stops timers and fails every waiting `sent` (the items stay stored for their user). */
  stop(rejectWith?: ClientError): void {
    for (const timer of this.paused.values()) clearTimeout(timer);
    this.paused.clear();
    if (!rejectWith) return;
    for (const waiter of this.waiters.values()) waiter.reject(rejectWith);
    this.waiters.clear();
  }

  private sendNext(conversationId: string): void {
    const item = this.items.find((i) => i.conversationId === conversationId && i.state === 'queued');
    if (!item) return;
    this.busy.add(conversationId);
    item.state = 'sending';
    item.attempts++;
    this.changed(conversationId);
    void this.hooks
      .send({ ...item })
      .then(
        (result) => this.succeeded(item, result.message),
        (error: unknown) => this.attemptFailed(item, toClientError(error)),
      )
      .finally(() => {
        this.busy.delete(conversationId);
        this.drain();
      });
  }

  private succeeded(item: PendingSend, message: Message): void {
    const index = this.items.indexOf(item);
    if (index >= 0) this.items.splice(index, 1);
    // Into the cache before the 'pending' event, and out of the outbox before the 'message' event:
    // a listener of either finds the message in one place, never in both nor in none.
    this.hooks.onSent(message);
    if (index >= 0) this.changed(item.conversationId);
    this.settle(item.clientMsgId, (w) => w.resolve(message));
  }

  private attemptFailed(item: PendingSend, error: ClientError): void {
    // Discarded while in flight: the caller was answered already.
    if (!this.items.includes(item)) return;
    if (isPassing(error.code)) {
      item.state = 'queued';
      this.changed(item.conversationId);
      if (error.code !== 'offline') this.pause(item.conversationId, this.hooks.retryDelayMs(item.attempts));
      return;
    }
    item.state = 'failed';
    item.error = { code: error.code, message: error.message };
    this.changed(item.conversationId);
    this.settle(item.clientMsgId, (w) => w.reject(error));
  }

  private pause(conversationId: string, delayMs: number): void {
    this.paused.set(
      conversationId,
      setTimeout(() => {
        this.paused.delete(conversationId);
        this.drain();
      }, delayMs),
    );
  }

  private settle(clientMsgId: string, how: (waiter: Waiter) => void): void {
    const waiter = this.waiters.get(clientMsgId);
    if (!waiter) return;
    this.waiters.delete(clientMsgId);
    how(waiter);
  }

  private changed(conversationId: string): void {
    // Another tab's sends stay stored; once sent there, it writes them away. (A send both tabs read
    // at start goes from both: one clientMsgId, so the host stores it once.)
    const others = (readJson<PendingSend[]>(this.store, this.key) ?? []).filter((i) => !this.mine.has(i.clientMsgId));
    writeJson(this.store, this.key, [...others, ...this.items], (error) => this.hooks.onStoreError(error));
    this.hooks.onChange(conversationId, this.pending(conversationId));
  }
}
