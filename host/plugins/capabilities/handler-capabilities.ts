import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { CommandsCapability, EventsCapability, HooksCapability } from '../../../sdk/plugin/plugin-context.js';
import { PLUGIN_EVENT_NAMES } from '../../../sdk/plugin/capabilities/events.js';
import type { PluginRecord } from '../plugin-record.js';
import type { CapabilityGuard } from './capability-guard.js';

/** Subscriptions, checked against the permission and the events it names. */
export function eventsCapability(guard: CapabilityGuard, record: PluginRecord): EventsCapability {
  return {
    on(event, handler) {
      const scope = guard.need('events');
      if (!(PLUGIN_EVENT_NAMES as readonly string[]).includes(event))
        throw new SwitchboardError('invalid_request', `Unknown event "${String(event)}".`);
      const allowed = scope.events ?? record.manifest?.contributes?.events ?? [];
      if (!allowed.includes(event)) guard.denied('events', `"${event}" is not in scope.events`);
      if (typeof handler !== 'function')
        throw new SwitchboardError('invalid_request', 'An event handler must be a function.');
      let set = record.handlers.events.get(event);
      if (!set) record.handlers.events.set(event, (set = new Set()));
      const h = handler as (e: unknown) => void | Promise<void>;
      set.add(h);
      return () => {
        set.delete(h);
      };
    },
  };
}

export function hooksCapability(guard: CapabilityGuard, record: PluginRecord): HooksCapability {
  return {
    beforeStore(handler) {
      guard.need('hooks');
      if (!record.manifest?.contributes?.hooks?.some((h) => h.point === 'message.beforeStore')) {
        throw new SwitchboardError(
          'invalid_operation',
          'Declare the hook in the manifest: contributes.hooks [{ "point": "message.beforeStore", "failMode": "open" | "closed" }].',
        );
      }
      if (typeof handler !== 'function') throw new SwitchboardError('invalid_request', 'A hook must be a function.');
      record.handlers.beforeStore = handler;
    },
  };
}

export function commandsCapability(guard: CapabilityGuard, record: PluginRecord): CommandsCapability {
  return {
    handle(name, handler) {
      guard.need('commands');
      if (!record.manifest?.contributes?.commands?.some((c) => c.name === name)) {
        throw new SwitchboardError(
          'invalid_operation',
          `Declare the command in the manifest: contributes.commands [{ "name": "${name}", "description": "…" }].`,
        );
      }
      if (typeof handler !== 'function')
        throw new SwitchboardError('invalid_request', 'A command handler must be a function.');
      record.handlers.commands.set(name, handler);
    },
  };
}
