import type { Message } from '../../../sdk/protocol/message.js';
import { isSystem } from '../i18n/system-text';

/** How close in time two messages of one sender are to read as one run (as chat apps group them). */
const RUN_GAP_MS = 5 * 60_000;

/**
 * Whether `message` goes on its sender's run: the one before it in the log is theirs too, shown as
 * a message (not a system line), sent at most a few minutes before. Such a message shows its
 * sender and time to screen readers only, so each one is still named whole.
 */
export function continuesRun(previous: Message | undefined, message: Message): boolean {
  if (!previous || isSystem(previous.content) || isSystem(message.content)) return false;
  if (previous.senderId !== message.senderId) return false;
  const gap = Date.parse(message.createdAt) - Date.parse(previous.createdAt);
  return gap >= 0 && gap <= RUN_GAP_MS;
}
