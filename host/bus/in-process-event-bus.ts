import type { EventBus, HostEvent, HostEventOf, HostEventType } from './event-bus.js';
import type { Logger } from '../logging/logger.js';

/** The default bus: synchronous delivery inside this process. */
export class InProcessEventBus implements EventBus {
  private readonly handlers = new Map<HostEventType, Set<(event: HostEvent) => void>>();

  constructor(private readonly log: Logger) {}

  publish(event: HostEvent): void {
    const set = this.handlers.get(event.type);
    if (!set) return;
    for (const handler of set) {
      try {
        handler(event);
      } catch (err) {
        // A failing subscriber must not stop delivery to the others.
        this.log.error({ err, eventType: event.type }, 'event handler failed');
      }
    }
  }

  subscribe<T extends HostEventType>(type: T, handler: (event: HostEventOf<T>) => void): () => void {
    let set = this.handlers.get(type);
    if (!set) this.handlers.set(type, (set = new Set()));
    const h = handler as (event: HostEvent) => void;
    set.add(h);
    return () => set.delete(h);
  }
}
