import { useLayoutEffect } from 'preact/hooks';
import type { SwitchboardClient } from '../../../sdk/client/index.js';
import { CachedLookup } from './cached-lookup';
import { useOnOnline, useRerender } from './client-hooks';
import { useSignedIn } from './session-context';

/**
 * Whether a plugin runs on the host: `asking` until the host's listing (GET /v1/plugins) is in;
 * `unknown` when it could not be had (offline, the host failing), asked again later.
 */
export type PluginState = 'running' | 'absent' | 'asking' | 'unknown';

const KEY = 'running';

/** One listing per session's client: asked once, kept for the session (a plugin rarely comes or goes). */
const listings = new WeakMap<SwitchboardClient, CachedLookup<readonly string[]>>();

function listingOf(client: SwitchboardClient): CachedLookup<readonly string[]> {
  let listing = listings.get(client);
  if (!listing) {
    listing = new CachedLookup(() => client.http.plugins());
    listings.set(client, listing);
  }
  return listing;
}

/** The plugin's state on this session's host, re-rendering the caller when it is known. */
export function usePlugin(id: string): PluginState {
  const { client } = useSignedIn();
  const listing = listingOf(client);
  const bump = useRerender();
  useLayoutEffect(() => listing.subscribe(bump), [listing, bump]);
  // A listing that failed while offline is asked again once the connection is back.
  useOnOnline(bump);
  const ids = listing.get(KEY);
  if (ids) return ids.includes(id) ? 'running' : 'absent';
  return listing.error(KEY) === undefined ? 'asking' : 'unknown';
}

/** Whether a plugin's route answered that there is no such route: the plugin is not running. */
export function pluginMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'route_not_found';
}

/**
 * Forgets a plugin the host said is not there (the operator disabled it since the listing was had),
 * so what leads to it goes too.
 */
export function forgetPlugin(client: SwitchboardClient, id: string): void {
  const listing = listingOf(client);
  const ids = listing.get(KEY);
  if (ids?.includes(id))
    listing.seed(
      KEY,
      ids.filter((other) => other !== id),
    );
}
