import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { ReadyFrame } from '../../../sdk/protocol/frames.js';

type Limits = ReadyFrame['limits'];
type Features = ReadyFrame['features'];

/** Each client's host limits and features, from its last `ready` (session-context records them as they come). */
const known = new WeakMap<SwitchboardClient, Pick<ReadyFrame, 'limits' | 'features'>>();

export function rememberLimits(client: SwitchboardClient, ready: Pick<ReadyFrame, 'limits' | 'features'>): void {
  known.set(client, { limits: ready.limits, features: ready.features });
}

/** The host's limits, or null before the client's first connection (the host then judges alone). */
export function hostLimits(client: SwitchboardClient): Limits | null {
  return known.get(client)?.limits ?? null;
}

/**
 * What the host offers (link previews…), or null before the client's first connection: a feature
 * is used only once the host said it offers it (a host from before the feature never says so).
 */
export function hostFeatures(client: SwitchboardClient): Partial<Features> | null {
  const ready = known.get(client);
  return ready ? (ready.features ?? {}) : null;
}

/** A text's length as the host counts it against maxTextLength: in characters (code points), not UTF-16 units. */
export function textLength(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}
