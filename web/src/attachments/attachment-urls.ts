import { useLayoutEffect } from 'preact/hooks';
import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { AttachmentView } from '../../../sdk/protocol/attachments.js';
import { CachedLookup } from '../session/cached-lookup';
import { useRerender } from '../session/client-hooks';
import { useSignedIn } from '../session/session-context';

/**
 * Signed URLs last `attachments.urlTtlSeconds` (300 by default): asked again after four minutes,
 * so an image drawn from the cache never points at an expired one for long.
 */
const FRESH_MS = 240_000;

const lookups = new WeakMap<SwitchboardClient, CachedLookup<AttachmentView>>();

/** The session's attachments with their signed URLs, by id; the caller re-renders as they arrive. */
export function useAttachmentViews(): (id: string) => AttachmentView | undefined {
  const { client } = useSignedIn();
  let lookup = lookups.get(client);
  if (!lookup) {
    lookup = new CachedLookup((id) => client.http.attachment(id), { maxAgeMs: FRESH_MS });
    lookups.set(client, lookup);
  }
  const bump = useRerender();
  useLayoutEffect(() => lookup.subscribe(bump), [lookup, bump]);
  return (id) => lookup.get(id);
}
