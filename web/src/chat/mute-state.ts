/** Whether a conversation's `mutedUntil` (an ISO time, or null) still mutes it now. */
export function isMuted(mutedUntil: string | null | undefined, now = Date.now()): boolean {
  return mutedUntil != null && Date.parse(mutedUntil) > now;
}
