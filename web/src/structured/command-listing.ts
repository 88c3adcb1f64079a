import { useEffect, useState } from 'preact/hooks';
import type { SwitchboardClient } from '../../../sdk/client/index.js';
import type { CommandListing } from '../../../sdk/protocol/frames.js';
import { useSignedIn } from '../session/session-context';

/** How long a conversation's commands are reused: a plugin joining or leaving shows within a minute. */
const FRESH_MS = 60_000;

interface Cached {
  at: number;
  commands: Promise<CommandListing[]>;
}

const caches = new WeakMap<SwitchboardClient, Map<string, Cached>>();

/** The slash commands I can run in a conversation, asked of the host once a minute at most. */
export function commandsOf(client: SwitchboardClient, conversationId: string): Promise<CommandListing[]> {
  let cache = caches.get(client);
  if (!cache) caches.set(client, (cache = new Map<string, Cached>()));
  const cached = cache.get(conversationId);
  if (cached && Date.now() - cached.at < FRESH_MS) return cached.commands;
  const commands = client.http.commands(conversationId);
  cache.set(conversationId, { at: Date.now(), commands });
  commands.catch(() => {
    // A failed listing is not kept: the next picker asks again (the failure is shown by the hook).
    if (cache.get(conversationId)?.commands === commands) cache.delete(conversationId);
  });
  return commands;
}

export type CommandsState =
  { status: 'loading' } | { status: 'ready'; commands: CommandListing[] } | { status: 'failed'; error: unknown };

export function useCommands(conversationId: string): CommandsState {
  const { client } = useSignedIn();
  const [state, setState] = useState<CommandsState>({ status: 'loading' });
  useEffect(() => {
    let live = true;
    setState({ status: 'loading' });
    commandsOf(client, conversationId).then(
      (commands) => live && setState({ status: 'ready', commands }),
      (error: unknown) => live && setState({ status: 'failed', error }),
    );
    return () => {
      live = false;
    };
  }, [client, conversationId]);
  return state;
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
