import type { Knex } from 'knex';
import type { PluginEventName } from '../../sdk/plugin/plugin-context.js';
import type { HostEvent } from '../bus/event-bus.js';
import { messageChangeEvent, type PluginEventPayload } from '../messages/message-change.js';

/** A running plugin with a bot and at least one event handler. */
export interface EventListener {
  pluginId: string;
  botUserId: string;
  names: ReadonlySet<PluginEventName>;
}

/** A plugin event some plugins must handle, as one commit caused it. */
export interface PendingPluginEvent<E extends PluginEventName = PluginEventName> {
  conversationId: string;
  name: E;
  payload: PluginEventPayload<E>;
  /** The plugins whose bot belonged to the conversation at that point of the commit. */
  pluginIds: string[];
}

type Step =
  | { kind: 'membership'; conversationId: string; added: readonly string[]; removed: readonly string[] }
  | { kind: 'event'; conversationId: string; name: PluginEventName; payload: object; alsoBots: readonly string[] };

/**
 * The plugin events a commit's host events cause, each with the plugins that get it: those
 * whose bot is a member at that point of the commit (a removed bot still hears of its own
 * removal). Membership is read inside the committing transaction, at its end, and walked back
 * through the batch's own membership changes, so a bot added or removed mid-batch gets exactly
 * the events after or before it. Costs nothing when no plugin listens to the events at hand.
 */
export async function pendingPluginEvents(
  trx: Knex.Transaction,
  events: readonly HostEvent[],
  listeners: readonly EventListener[],
): Promise<PendingPluginEvent[]> {
  const steps = stepsOf(events);
  const heard = steps.filter(
    (s): s is Extract<Step, { kind: 'event' }> => s.kind === 'event' && listeners.some((l) => l.names.has(s.name)),
  );
  if (heard.length === 0) return [];
  const bots = [...new Set(listeners.map((l) => l.botUserId))];
  const conversations = [...new Set(heard.map((s) => s.conversationId))];
  const state = await botMemberships(trx, conversations, bots);
  const key = (conversationId: string, userId: string) => `${conversationId}\u0000${userId}`;
  // Walk the batch's membership changes back, from the end state to the state before it.
  for (const step of [...steps].reverse()) {
    if (step.kind !== 'membership') continue;
    for (const id of step.added) state.delete(key(step.conversationId, id));
    for (const id of step.removed) state.add(key(step.conversationId, id));
  }
  const pending: PendingPluginEvent[] = [];
  for (const step of steps) {
    if (step.kind === 'membership') {
      for (const id of step.added) state.add(key(step.conversationId, id));
      for (const id of step.removed) state.delete(key(step.conversationId, id));
      continue;
    }
    const pluginIds = listeners
      .filter(
        (l) =>
          l.names.has(step.name) &&
          (state.has(key(step.conversationId, l.botUserId)) || step.alsoBots.includes(l.botUserId)),
      )
      .map((l) => l.pluginId);
    if (pluginIds.length > 0)
      pending.push({ conversationId: step.conversationId, name: step.name, payload: step.payload as never, pluginIds });
  }
  return pending;
}

/** Host events as steps: membership changes (which move bots in and out) and the plugin events they cause. */
function stepsOf(events: readonly HostEvent[]): Step[] {
  const steps: Step[] = [];
  for (const e of events) {
    if (e.type === 'message.changed') {
      const { name, payload } = messageChangeEvent(e.conversationId, e.change, e.message);
      steps.push({ kind: 'event', conversationId: e.conversationId, name, payload, alsoBots: [] });
    } else if (e.type === 'membership.changed') {
      steps.push({ kind: 'membership', conversationId: e.conversationId, added: e.added, removed: e.removed });
      if (e.added.length > 0)
        steps.push({
          kind: 'event',
          conversationId: e.conversationId,
          name: 'conversation.member_added',
          payload: { conversationId: e.conversationId, userIds: e.added },
          alsoBots: [],
        });
      for (const userId of e.removed)
        steps.push({
          kind: 'event',
          conversationId: e.conversationId,
          name: 'conversation.member_removed',
          payload: { conversationId: e.conversationId, userId },
          alsoBots: [userId],
        });
    }
  }
  return steps;
}

/** "conversation\0bot" for every listening bot that is a member now, in the transaction's view. */
async function botMemberships(trx: Knex.Transaction, conversations: string[], bots: string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let i = 0; i < conversations.length; i += 500) {
    const rows = await trx('members')
      .whereIn('conversation_id', conversations.slice(i, i + 500))
      .whereIn('user_id', bots)
      .select<{ conversation_id: string; user_id: string }[]>('conversation_id', 'user_id');
    for (const r of rows) found.add(`${r.conversation_id}\u0000${r.user_id}`);
  }
  return found;
}
