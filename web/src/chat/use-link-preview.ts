import { useLayoutEffect } from 'preact/hooks';
import { ClientError, type LinkPreview, type SwitchboardClient } from '../../../sdk/client/index.js';
import { CachedLookup } from '../session/cached-lookup';
import { useRerender } from '../session/client-hooks';
import { hostFeatures } from '../session/host-limits';
import { useSignedIn } from '../session/session-context';

/** Answers that mean "no card for this page", for good: kept as null rather than asked again. */
const NO_PREVIEW: ReadonlySet<string> = new Set([
  'link_preview_unavailable',
  'link_previews_disabled',
  'invalid_request',
]);

/** One cache per session's client: a page is asked about once however often its messages are drawn. */
const lookups = new WeakMap<SwitchboardClient, CachedLookup<LinkPreview | null>>();

function lookupOf(client: SwitchboardClient): CachedLookup<LinkPreview | null> {
  let lookup = lookups.get(client);
  if (!lookup) {
    lookup = new CachedLookup(async (url) => {
      try {
        return await client.http.linkPreview(url);
      } catch (error) {
        if (error instanceof ClientError && NO_PREVIEW.has(error.code)) return null;
        // Offline, rate-limited, the host failing: asked again later (CachedLookup's retry).
        throw error;
      }
    });
    lookups.set(client, lookup);
  }
  return lookup;
}

/**
 * The preview of the page at `url` through the client library (GET /v1/link-preview), once the
 * host said it offers previews; null while it is asked for, when there is none, or when the host
 * does not offer them. The caller renders again when it arrives.
 */
export function useLinkPreview(url: string | null): LinkPreview | null {
  const { client } = useSignedIn();
  const lookup = lookupOf(client);
  const bump = useRerender();
  useLayoutEffect(() => lookup.subscribe(bump), [lookup, bump]);
  // Whether the host offers previews is known at its `ready` frame.
  useLayoutEffect(() => client.on('ready', bump), [client, bump]);
  if (url === null || hostFeatures(client)?.linkPreviews !== true) return null;
  return lookup.get(url) ?? null;
}
