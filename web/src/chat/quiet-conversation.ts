import { isMuted } from './mute-state';

/** A conversation's own settings, as a view or the Conversation itself carries them. */
interface OwnSettings {
  mutedUntil: string | null;
  archivedAt?: string | null;
}

/**
 * Whether a conversation's counts recede: muted, or archived. Where it is listed its counts still
 * show, quietly; the app's totals (the tab's title, the Threads badge) leave it out.
 */
export function isQuiet(settings: OwnSettings | undefined): boolean {
  if (!settings) return false;
  return isMuted(settings.mutedUntil) || (settings.archivedAt ?? null) !== null;
}
