import { inject, injectable } from 'tsyringe';
import type { PluginEventName, PluginEvents } from '../../sdk/plugin/plugin-context.js';
import { Tokens } from '../core/container-tokens.js';
import type { EventBus } from '../bus/event-bus.js';
import { MemberDirectory } from '../conversations/member-directory.js';
import { PluginLogs } from './plugin-logs.js';
import { PluginRegistry } from './plugin-registry.js';
import type { PluginRecord } from './plugin-record.js';
import { callPlugin } from './call-plugin.js';
import { deepFreeze } from './deep-freeze.js';
import { messageChangeEvent } from '../messages/message-change.js';

/**
 * Hands committed events to plugins whose bot belongs to the conversation. Every handler gets
 * the same deep-frozen payload (it can read it, not change it); one that throws is logged
 * against its plugin and harms no one else.
 */
@injectable()
export class PluginEventDispatcher {
  private readonly off: (() => void)[] = [];

  constructor(
    @inject(Tokens.EventBus) private readonly bus: EventBus,
    @inject(MemberDirectory) private readonly directory: MemberDirectory,
    @inject(PluginRegistry) private readonly registry: PluginRegistry,
    @inject(PluginLogs) private readonly logs: PluginLogs,
  ) {}

  start(): void {
    // Once per cluster: the host that committed a change dispatches its plugin events; other
    // hosts' buses bring it to their clients, not to their plugins.
    const own = { origin: 'this-host' } as const;
    this.off.push(
      this.bus.subscribe(
        'message.changed',
        (e) => {
          const { name, payload } = messageChangeEvent(e.conversationId, e.change, e.message);
          this.dispatch(e.conversationId, name, payload, []);
        },
        own,
      ),
      this.bus.subscribe(
        'membership.changed',
        (e) => {
          if (e.added.length > 0)
            this.dispatch(
              e.conversationId,
              'conversation.member_added',
              { conversationId: e.conversationId, userIds: e.added },
              [],
            );
          // A removed bot still hears of its own removal.
          for (const userId of e.removed)
            this.dispatch(
              e.conversationId,
              'conversation.member_removed',
              { conversationId: e.conversationId, userId },
              [userId],
            );
        },
        own,
      ),
    );
  }

  stop(): void {
    for (const off of this.off.splice(0)) off();
  }

  private dispatch<E extends PluginEventName>(
    conversationId: string,
    name: E,
    payload: PluginEvents[E],
    alsoBots: string[],
  ): void {
    const listeners = this.registry.running().filter((r) => (r.handlers.events.get(name)?.size ?? 0) > 0);
    if (listeners.length === 0) return;
    this.directory.withMembers(conversationId, (members) => {
      const targets = listeners.filter(
        (r) => r.botUserId && (members.has(r.botUserId) || alsoBots.includes(r.botUserId)),
      );
      if (targets.length === 0) return;
      // Committed events are immutable: frozen once, the same object is safe to share with every
      // handler (none can change what the host or another plugin sees).
      deepFreeze(payload);
      const generations = targets.map((r) => r.generation);
      // Handlers run after the publisher's turn, all from one microtask.
      queueMicrotask(() => targets.forEach((record, i) => this.invoke(record, generations[i]!, name, payload)));
    });
  }

  private invoke(record: PluginRecord, generation: number, name: PluginEventName, payload: unknown): void {
    if (record.status !== 'running' || record.generation !== generation) return;
    for (const handler of record.handlers.events.get(name) ?? []) {
      // No deadline and no caller: a throw, now or later, is logged against the plugin and harms no one else.
      void callPlugin(
        this.logs,
        { pluginId: record.id, kind: 'event', what: `${name} handler`, deadlineMs: null, hasCaller: false },
        () => handler(payload as never),
      ).catch(() => undefined);
    }
  }
}
