import { useLayoutEffect, useRef } from 'preact/hooks';
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

/**
 * The previews kept for cards to come (a conversation opened again, a message scrolled back to):
 * each holds a picture of up to 96 KiB, so a long session keeps the most recently used ones only.
 * A card on screen keeps its own (useLinkPreview), however many others arrive after it.
 */
const KEPT_PREVIEWS = 200;

/** One cache per session's client: a page is asked about once however often its messages are drawn. */
const lookups = new WeakMap<SwitchboardClient, CachedLookup<LinkPreview | null>>();

function lookupOf(client: SwitchboardClient): CachedLookup<LinkPreview | null> {
  let lookup = lookups.get(client);
  if (!lookup) {
    lookup = new CachedLookup(
      async (url) => {
        try {
          return await client.http.linkPreview(url);
        } catch (error) {
          if (error instanceof ClientError && NO_PREVIEW.has(error.code)) return null;
          // Offline, rate-limited, the host failing: asked again later (CachedLookup's retry).
          throw error;
        }
      },
      { maxEntries: KEPT_PREVIEWS },
    );
    lookups.set(client, lookup);
  }
  return lookup;
}

/**
 * The preview of the page at `url` through the client library (GET /v1/link-preview), once the
 * host said it offers previews; null while it is asked for, when there is none, or when the host
 * does not offer them. The caller renders again when it arrives, and keeps it from then on: the
 * cache may let it go while the card is shown (more than KEPT_PREVIEWS cards in the log), and
 * reading it there again would fetch it again, and push out another shown card's, without end.
 */
export function useLinkPreview(url: string | null): LinkPreview | null {
  const { client } = useSignedIn();
  const lookup = lookupOf(client);
  const bump = useRerender();
  const shown = useRef<{ url: string; preview: LinkPreview | null } | null>(null);
  useLayoutEffect(() => lookup.subscribe(bump), [lookup, bump]);
  // Whether the host offers previews is known at its `ready` frame.
  useLayoutEffect(() => client.on('ready', bump), [client, bump]);
  if (url === null || hostFeatures(client)?.linkPreviews !== true) return null;
  if (shown.current?.url === url) return shown.current.preview;
  const preview = lookup.get(url);
  if (preview !== undefined) shown.current = { url, preview };
  return preview ?? null;
}
