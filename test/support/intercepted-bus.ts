import type { HostOptions } from '../../host/host.js';
import type { EventBus, HostEvent } from '../../host/bus/event-bus.js';
import { RedisEventBus } from '../../host/bus/redis-event-bus.js';

/**
 * A real Redis bus whose publishing a test steers, to lose or delay an event as a network can:
 * `intercept` gets each event and the real publish, and calls it (now, later or never).
 */
export function interceptedBus(
  bus: { url: string; prefix: string },
  intercept: (event: HostEvent, publish: (event: HostEvent) => void) => void,
): NonNullable<HostOptions['eventBus']> {
  return (log, hostId, metrics): EventBus => {
    const real = new RedisEventBus({ url: bus.url, prefix: bus.prefix, hostId, log, metrics });
    return {
      publish: (event) => intercept(event, (e) => real.publish(e)),
      subscribe: (type, handler) => real.subscribe(type, handler),
      close: () => real.close(),
      isConnected: () => real.isConnected(),
      onReconnected: (callback) => real.onReconnected(callback),
    };
  };
}
