import { useLayoutEffect } from 'preact/hooks';
import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { CommandListing } from '../../../sdk/protocol/frames.js';
import { CachedLookup } from '../session/cached-lookup';
import { useRerender } from '../session/client-hooks';
import { useSignedIn } from '../session/session-context';

/** How long a conversation's commands are reused: a plugin joining or leaving shows within a minute. */
const FRESH_MS = 60_000;

const listings = new WeakMap<SwitchboardClient, CachedLookup<CommandListing[]>>();

/** The slash commands I can run in each conversation, asked of the host once a minute at most. */
function listingOf(client: SwitchboardClient): CachedLookup<CommandListing[]> {
  let listing = listings.get(client);
  if (!listing)
    listings.set(client, (listing = new CachedLookup((id) => client.http.commands(id), { maxAgeMs: FRESH_MS })));
  return listing;
}

export type CommandsState =
  { status: 'loading' } | { status: 'ready'; commands: CommandListing[] } | { status: 'failed'; error: unknown };

export function useCommands(conversationId: string): CommandsState {
  const { client } = useSignedIn();
  const listing = listingOf(client);
  const bump = useRerender();
  useLayoutEffect(() => listing.subscribe(bump), [listing, bump]);
  const commands = listing.get(conversationId);
  if (commands) return { status: 'ready', commands };
  const error = listing.error(conversationId);
  return error === undefined ? { status: 'loading' } : { status: 'failed', error };
}

/** The commands whose name starts with what is typed, then those that contain it, each by name. */
export function matchCommands(commands: CommandListing[], typed: string): CommandListing[] {
  const query = typed.toLowerCase();
  const byName = (a: CommandListing, b: CommandListing) => a.name.localeCompare(b.name);
  const starts = commands.filter((c) => c.name.toLowerCase().startsWith(query)).sort(byName);
  const contains = commands
    .filter((c) => !c.name.toLowerCase().startsWith(query) && c.name.toLowerCase().includes(query))
    .sort(byName);
  return [...starts, ...contains];
}
