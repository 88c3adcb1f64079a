import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { MessageTypeRegistry } from '../messages/message-type-registry.js';
import { assertUniqueTappableIds } from '../messages/tappable-ids.js';
import type { PluginRecord } from './plugin-record.js';

/**
 * Registers the message types a starting plugin contributes, which only its bot may post; throws
 * plugin_start_failed when another plugin registered one of them already.
 */
export function registerMessageTypes(types: MessageTypeRegistry, record: PluginRecord): void {
  for (const t of record.manifest!.contributes?.messageTypes ?? []) {
    if (types.has(t.type))
      throw new SwitchboardError(
        'plugin_start_failed',
        `The message type "${t.type}" is already registered by another plugin.`,
      );
    const botId = record.botUserId!;
    // Taps on its buttons reach the plugin (PostbackRouter), so their ids must name one button each.
    types.register(t.type, {
      schema: t.schema,
      mayPost: (sender) => sender === botId,
      check: assertUniqueTappableIds,
    });
    record.registeredTypes.push(t.type);
  }
}

/** Unregisters the message types the plugin registered, when it stops or fails. */
export function unregisterMessageTypes(types: MessageTypeRegistry, record: PluginRecord): void {
  for (const type of record.registeredTypes.splice(0)) types.unregister(type);
}
