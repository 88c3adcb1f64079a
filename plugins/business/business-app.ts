import type { PluginContext } from '../../sdk/index.js';
import type { BotEvents } from './bots/bot-events.js';
import type { AgentsRooms } from './businesses/agents-room.js';
import type { BusinessStore } from './businesses/business-store.js';
import type { Durations } from './inbox/durations.js';
import type { RoundRobin } from './inbox/round-robin.js';
import type { ThreadRow } from './inbox/threads.js';
import type { BusinessSettings } from './settings.js';
import type { Webhooks } from './webhooks/webhooks.js';

/**
 * What the plugin's parts share: its capability object and the state of this plugin instance.
 * Built once in start(), so two hosts in one process (or a restart) never share a cache or a queue.
 */
export interface BusinessApp {
  readonly ctx: PluginContext<BusinessSettings>;
  readonly businesses: BusinessStore;
  readonly agentsRooms: AgentsRooms;
  readonly roundRobin: RoundRobin;
  readonly botEvents: BotEvents;
  readonly webhooks: Webhooks;
  /** From a customer message reaching the plugin to its conversation's automatic assignment stored. */
  readonly assignDurations: Durations;
  /**
   * Conversations this host opened and has not routed yet, by conversation id: their first message
   * is routed without reading the thread again (the assignment's compare-and-set still guards it).
   */
  readonly freshThreads: Map<string, ThreadRow>;
}
