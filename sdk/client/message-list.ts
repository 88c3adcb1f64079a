import type { Message } from '../protocol/message.js';
import type { MessageChange } from './client-types.js';

/**
 * A conversation's cached messages: ascending seq, each id once. A message is replaced only by a
 * state with a higher pts, so an older copy (a history page read before a live frame arrived, an
 * acknowledgement after the frame) never undoes a newer one.
 */

/**
 * Upserts one message; returns what changed for listeners, or null when the list already had it
 * or does not cover it. A message not in the list is added if `insert` (a creation, a page of
 * history) or if it falls within the list; a change to an older message would leave a gap behind
 * it, so it waits for the page of history that holds it.
 */
export function upsertMessage(
  list: Message[],
  message: Message,
  opts: { change?: MessageChange; insert: boolean },
): MessageChange | null {
  const index = indexOfId(list, message.id);
  if (index >= 0) {
    const old = list[index]!;
    if (message.pts <= old.pts) return null;
    list[index] = message;
    return opts.change && opts.change !== 'created' ? opts.change : changeBetween(old, message);
  }
  if (!opts.insert && (list.length === 0 || message.seq < list[0]!.seq)) return null;
  list.splice(insertionPoint(list, message.seq), 0, message);
  return 'created';
}

/** Merges a page of history (already ascending): existing newer states win. */
export function mergePage(list: Message[], page: readonly Message[]): void {
  for (const message of page) upsertMessage(list, message, { insert: true });
}

/** What an upsert of a message already present changed. */
function changeBetween(old: Message, updated: Message): MessageChange {
  if (updated.deletedAt && !old.deletedAt) return 'deleted';
  if (updated.editedAt !== old.editedAt) return 'edited';
  return 'reaction';
}

/** Whether `candidate` is a newer state of the conversation's last message than `current`. */
export function isNewerLast(current: Message | null, candidate: Message): boolean {
  if (!current) return true;
  if (candidate.seq !== current.seq) return candidate.seq > current.seq;
  return candidate.pts > current.pts;
}

export function maxPts(messages: readonly Message[]): number {
  let pts = 0;
  for (const m of messages) if (m.pts > pts) pts = m.pts;
  return pts;
}

/** Messages are usually found near the end (the newest change): search from there. */
function indexOfId(list: Message[], id: string): number {
  for (let i = list.length - 1; i >= 0; i--) if (list[i]!.id === id) return i;
  return -1;
}

function insertionPoint(list: Message[], seq: number): number {
  let i = list.length;
  while (i > 0 && list[i - 1]!.seq > seq) i--;
  return i;
}
