import type { Message } from '../protocol/message.js';
import { upsertMessage } from './message-list.js';

/** How many changes to uncached messages are kept per conversation. */
const HELD_CHANGES = 100;

/**
 * Changes to messages the cache does not hold (older than its oldest). A page of history read
 * before such a change but answered after its frame would bring the older state; the change is
 * applied again over the page (the higher pts wins).
 */
export class UncachedChanges {
  private readonly held = new Map<string, Message[]>();

  hold(conversationId: string, message: Message): void {
    const list = this.held.get(conversationId) ?? [];
    list.push(message);
    if (list.length > HELD_CHANGES) list.shift();
    this.held.set(conversationId, list);
  }

  /** Applies the held changes to a conversation's messages after a page was merged, and forgets them. */
  applyTo(conversationId: string, list: Message[]): void {
    for (const message of this.held.get(conversationId) ?? []) upsertMessage(list, message, { insert: false });
    this.held.delete(conversationId);
  }

  forget(conversationId: string): void {
    this.held.delete(conversationId);
  }
}
