import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { ReadyFrame } from '../../../sdk/protocol/frames.js';

type Limits = ReadyFrame['limits'];

/** Each client's host limits, from its last `ready` (session-context records them as they come). */
const known = new WeakMap<SwitchboardClient, Limits>();

export function rememberLimits(client: SwitchboardClient, limits: Limits): void {
  known.set(client, limits);
}

/** The host's limits, or null before the client's first connection (the host then judges alone). */
export function hostLimits(client: SwitchboardClient): Limits | null {
  return known.get(client) ?? null;
}

/** A text's length as the host counts it against maxTextLength: in characters (code points), not UTF-16 units. */
export function textLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
