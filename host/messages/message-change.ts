import type { MessageCreatedFrame, MessageUpdatedFrame } from '../../sdk/protocol/frames.js';
import type { Message } from '../../sdk/protocol/message.js';
import type { PluginEventName, PluginEvents } from '../../sdk/plugin/capabilities/events.js';
import type { MessageChange } from '../bus/event-bus.js';

/**
 * The one mapping from a message change to what clients and plugins see: a new message is
 * `message.created`, anything else `message.updated` with its `change`. Live delivery, catch-up
 * from the database and plugin events all go through it, so they cannot disagree.
 */
export function messageChangeFrame(
  conversationId: string,
  pts: number,
  change: MessageChange,
  message: Message,
): MessageCreatedFrame | MessageUpdatedFrame {
  return change === 'created'
    ? { type: 'message.created', conversationId, pts, message }
    : { type: 'message.updated', conversationId, pts, change, message };
}

/** An event as the commit knows it: the id is given when it is recorded for plugins. */
export type PluginEventPayload<E extends PluginEventName> = Omit<PluginEvents[E], 'eventId'>;

type MessageEvent =
  | { name: 'message.created'; payload: PluginEventPayload<'message.created'> }
  | { name: 'message.updated'; payload: PluginEventPayload<'message.updated'> };

/** The same change as a plugin event: the frame without `pts`, which is a client's cursor. */
export function messageChangeEvent(conversationId: string, change: MessageChange, message: Message): MessageEvent {
  return change === 'created'
    ? { name: 'message.created', payload: { conversationId, message } }
    : { name: 'message.updated', payload: { conversationId, change, message } };
}
