/** The events capability: committed changes in the bot's conversations. Part of PluginContext (../plugin-context.ts). */
import type { Message } from '../../protocol/message.js';

/** What every plugin event carries. */
export interface PluginEventBase {
  /**
   * The same on every delivery of this event. Events are delivered at least once: after a host
   * dies between committing a change and handing its event on, another host hands it on, and a
   * handler that had already run on the dead host sees it again. Handlers that must not act
   * twice dedupe on this id.
   */
  eventId: string;
  conversationId: string;
}

export interface PluginEvents {
  'message.created': PluginEventBase & { message: Message };
  'message.updated': PluginEventBase & { change: 'edited' | 'deleted' | 'reaction'; message: Message };
  'conversation.member_added': PluginEventBase & { userIds: string[] };
  'conversation.member_removed': PluginEventBase & { userId: string };
}
export type PluginEventName = keyof PluginEvents;

/**
 * Every event a plugin can subscribe to: the one list the host checks `on()` against. The
 * manifest schema's `eventName` enum repeats it for editors that read JSON only; a test keeps
 * the two equal.
 */
export const PLUGIN_EVENT_NAMES = [
  'message.created',
  'message.updated',
  'conversation.member_added',
  'conversation.member_removed',
] as const satisfies readonly PluginEventName[];

// Adding an event to PluginEvents without listing it above fails to compile here.
type Unlisted = Exclude<PluginEventName, (typeof PLUGIN_EVENT_NAMES)[number]>;
const everyEventListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyEventListed;

/**
 * permission events, for the names in scope.events. Only events of conversations the bot
 * belongs to arrive. Handlers run after the change is committed, once per cluster (by one host),
 * in commit order per conversation, and at least once (see PluginEventBase.eventId). A throwing
 * handler is logged against the plugin and harms nothing else; it is not called again.
 */
export interface EventsCapability {
  on<E extends PluginEventName>(event: E, handler: (event: PluginEvents[E]) => void | Promise<void>): () => void;
}
