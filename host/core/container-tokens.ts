import type { InjectionToken } from 'tsyringe';
import type { HostConfig } from '../config/host-config.js';
import type { Database } from '../db/open-database.js';
import type { EventBus } from '../bus/event-bus.js';
import type { Clock } from './clock.js';
import type {
  BeforeStoreHooks,
  CommandDispatch,
  CommittedEventOutbox,
  NotificationDispatch,
  PostbackDispatch,
} from './extension-points.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';

/**
 * Explicit injection tokens: esbuild (tsx, vitest) emits no decorator metadata, so every
 * constructor parameter names its token. The container never leaves host/.
 */
export const Tokens = {
  Config: Symbol('Config') as InjectionToken<HostConfig>,
  Database: Symbol('Database') as InjectionToken<Database>,
  EventBus: Symbol('EventBus') as InjectionToken<EventBus>,
  Logger: Symbol('Logger') as InjectionToken<Logger>,
  HostId: Symbol('HostId') as InjectionToken<string>,
  Clock: Symbol('Clock') as InjectionToken<Clock>,
  Metrics: Symbol('Metrics') as InjectionToken<HostMetrics>,
  BeforeStoreHooks: Symbol('BeforeStoreHooks') as InjectionToken<BeforeStoreHooks>,
  Commands: Symbol('Commands') as InjectionToken<CommandDispatch>,
  Postbacks: Symbol('Postbacks') as InjectionToken<PostbackDispatch>,
  Outbox: Symbol('Outbox') as InjectionToken<CommittedEventOutbox>,
  Notifications: Symbol('Notifications') as InjectionToken<NotificationDispatch>,
} as const;
