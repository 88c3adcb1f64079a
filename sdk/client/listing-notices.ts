import type { Message } from '../protocol/message.js';

/** System messages that change what the listing says of a conversation (its title, its members). */
const LISTING_CHANGES = new Set([
  'system.title_changed',
  'system.members_added',
  'system.member_removed',
  'system.member_left',
]);

/** Whether the message changes what the host's listing says of its conversation: fetch it again. */
export function changesListing(message: Message): boolean {
  return LISTING_CHANGES.has(message.content?.type ?? '');
}

/** Whether the message says `me` left or was removed: the conversation is no longer mine. */
export function saysILeft(message: Message, me: string | null): boolean {
  const type = message.content?.type;
  if (type !== 'system.member_removed' && type !== 'system.member_left') return false;
  const body = (message.content as { body?: { userId?: unknown } }).body;
  return body?.userId !== undefined && body.userId === me;
}
