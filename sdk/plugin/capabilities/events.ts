/** The events capability: committed changes in the bot's conversations. Part of PluginContext (../plugin-context.ts). */
import type { Message } from '../../protocol/message.js';

export interface PluginEvents {
  'message.created': { conversationId: string; message: Message };
  'message.updated': { conversationId: string; change: 'edited' | 'deleted' | 'reaction'; message: Message };
  'conversation.member_added': { conversationId: string; userIds: string[] };
  'conversation.member_removed': { conversationId: string; userId: string };
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
 * belongs to arrive. Handlers run after the change is committed; a throwing handler is logged
 * against the plugin and harms nothing else.
 */
export interface EventsCapability {
  on<E extends PluginEventName>(event: E, handler: (event: PluginEvents[E]) => void | Promise<void>): () => void;
}
