import type { Member, Message } from '../../../sdk/protocol/message.js';
import { isSystem } from '../i18n/system-text';

/**
 * Who has read my last message (their ids): members whose read watermark reached its seq. Watermarks come from
 * the member list (as of when it was fetched) and from the receipts since (the client's readSeqs);
 * the higher wins, as a watermark only moves forward. Members who joined after it was sent are
 * not its readers: a newcomer's watermark starts at their join, above what came before.
 */
export function readersOfMyLast(
  messages: readonly Message[],
  me: string,
  readSeqs: Readonly<Record<string, number>>,
  members: readonly Member[] | null,
): { messageId: string; readers: string[] } | null {
  let mine: Message | undefined;
  for (let i = messages.length - 1; i >= 0 && !mine; i--) {
    const m = messages[i]!;
    if (m.senderId === me && !m.deletedAt && !isSystem(m.content)) mine = m;
  }
  if (!mine) return null;
  const watermarks = new Map<string, number>();
  for (const member of members ?? []) watermarks.set(member.userId, member.readSeq);
  for (const [userId, seq] of Object.entries(readSeqs)) {
    watermarks.set(userId, Math.max(watermarks.get(userId) ?? 0, seq));
  }
  watermarks.delete(me);
  const sentAt = Date.parse(mine.createdAt);
  for (const member of members ?? []) if (Date.parse(member.joinedAt) > sentAt) watermarks.delete(member.userId);
  const readers: string[] = [];
  for (const [userId, seq] of watermarks) if (seq >= mine.seq) readers.push(userId);
  return { messageId: mine.id, readers };
}
