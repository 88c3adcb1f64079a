import { inject, injectable } from 'tsyringe';
import type { PluginEventName } from '../../sdk/plugin/plugin-context.js';
import { PluginLogs } from './plugin-logs.js';
import { PluginRegistry } from './plugin-registry.js';
import type { PluginRecord } from './plugin-record.js';
import { callPlugin } from './call-plugin.js';
import { deepFreeze } from './deep-freeze.js';

/** Past this a handler still running is logged as plugin_timeout, and its event counts as handed on. */
export const EVENT_HANDLER_DEADLINE_MS = 60_000;

/** One plugin event, with its stable id, for the plugins that must get it. */
export interface PluginEventDelivery {
  eventId: string;
  name: PluginEventName;
  /** The payload without the id (the dispatcher adds it). */
  payload: object;
  pluginIds: readonly string[];
}

/**
 * Hands a plugin event to the handlers of each plugin named in it that runs here. Every handler
 * gets the same deep-frozen payload (it can read it, not change it); one that throws is logged
 * against its plugin and harms no one else. Which plugins get an event, and when, is decided by
 * the outbox (plugin-event-outbox.ts), which records it with the commit.
 */
@injectable()
export class PluginEventDispatcher {
  constructor(
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(PluginLogs) private readonly logs: PluginLogs,
  ) {}

  /** Starts the handlers now, in this turn; settles once every one has (it never rejects). */
  deliver(event: PluginEventDelivery): Promise<void> {
    const targets: PluginRecord[] = [];
    for (const id of event.pluginIds) {
      const record = this.registry.get(id);
      if (record?.status === 'running' && (record.handlers.events.get(event.name)?.size ?? 0) > 0) targets.push(record);
    }
    if (targets.length === 0) return Promise.resolve();
    // Committed events are immutable: frozen once, the same object is safe to share with every
    // handler (none can change what the host or another plugin sees).
    const payload = deepFreeze({ ...event.payload, eventId: event.eventId });
    const calls: Promise<unknown>[] = [];
    for (const record of targets) {
      for (const handler of record.handlers.events.get(event.name) ?? []) {
        // No caller: a throw, now or later, is logged against the plugin and harms no one else.
        const call = callPlugin(
          this.logs,
          {
            pluginId: record.id,
            kind: 'event',
            what: `${event.name} handler`,
            deadlineMs: EVENT_HANDLER_DEADLINE_MS,
            hasCaller: false,
          },
          () => handler(payload as never),
        );
        // callPlugin has logged the failure against the plugin; the event counts as handed on.
        calls.push(call.catch(() => undefined));
      }
    }
    return Promise.all(calls).then(() => undefined);
  }
}
