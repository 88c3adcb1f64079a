import type { Conversation, Message } from '../protocol/message.js';
import type { StoredEntry } from './cache-persistence.js';
import type { ConversationView } from './client-types.js';
import { isNewerLast } from './message-list.js';

/** One cached conversation. */
export interface CacheEntry extends StoredEntry {
  /** Entries made after a listing was requested are not removed by that listing. */
  generation: number;
}

export function newEntry(conversation: Conversation, generation: number): CacheEntry {
  return {
    conversation,
    lastMessage: conversation.lastMessage,
    unreadCount: conversation.unreadCount,
    mentionCount: conversation.mentionCount,
    countedSeq: conversation.lastSeq,
    countedPts: conversation.lastPts,
    readSeqs: {},
    pts: null,
    hasOlder: conversation.lastSeq > 0,
    generation,
  };
}

/** What the app sees of an entry: copies, so a view kept by the app does not change under it. */
export function viewOf(e: CacheEntry, typing: string[]): ConversationView {
  return {
    conversation: {
      ...e.conversation,
      lastMessage: e.lastMessage,
      unreadCount: e.unreadCount,
      mentionCount: e.mentionCount,
    },
    lastMessage: e.lastMessage,
    unreadCount: e.unreadCount,
    mentionCount: e.mentionCount,
    mutedUntil: e.conversation.mutedUntil ?? null,
    archivedAt: e.conversation.archivedAt ?? null,
    typing,
    readSeqs: { ...e.readSeqs },
  };
}

/**
 * Takes a conversation as the host listed it, keeping what live frames taught since (higher
 * numbers, a newer last message). Returns false when the listing's unread count is older than the
 * one kept, which must then follow the (maybe moved) watermark instead.
 */
export function mergeListed(e: CacheEntry, conversation: Conversation): boolean {
  const kept = e.conversation;
  e.conversation = {
    ...conversation,
    lastSeq: Math.max(kept.lastSeq, conversation.lastSeq),
    lastPts: Math.max(kept.lastPts, conversation.lastPts),
    myReadSeq: Math.max(kept.myReadSeq, conversation.myReadSeq),
  };
  if (conversation.lastMessage && isNewerLast(e.lastMessage, conversation.lastMessage)) {
    e.lastMessage = conversation.lastMessage;
  }
  if (conversation.lastPts < e.countedPts) return false;
  // The snapshot is at least as new as what was counted: it is the truth.
  e.unreadCount = conversation.unreadCount;
  e.mentionCount = conversation.mentionCount;
  e.countedSeq = Math.max(e.countedSeq, conversation.lastSeq);
  e.countedPts = conversation.lastPts;
  return true;
}

/**
 * Keeps lastSeq/lastPts and the last message in step with a message seen. Returns whether a newer
 * message became the last one (the conversation's activity moved), 'changed' when only the last
 * message's state did, or false.
 */
export function noteMessage(e: CacheEntry, m: Message, pts: number): 'newer' | 'changed' | false {
  const c = e.conversation;
  if (m.seq > c.lastSeq || pts > c.lastPts) {
    e.conversation = { ...c, lastSeq: Math.max(c.lastSeq, m.seq), lastPts: Math.max(c.lastPts, pts) };
  }
  if (!isNewerLast(e.lastMessage, m)) return false;
  const newer = !e.lastMessage || m.seq > e.lastMessage.seq;
  e.lastMessage = m;
  return newer ? 'newer' : 'changed';
}

/** When a conversation was last active: its last message, or its creation. */
export function activityOf(e: CacheEntry): string {
  return e.lastMessage?.createdAt ?? e.conversation.createdAt;
}
