import type { PluginContext } from '../../sdk/index.js';
import type { Durations } from './assignment.js';
import type { BusinessSettings } from './settings.js';
import type { ThreadRow } from './threads.js';
import type { Webhooks } from './webhooks.js';

/** What the plugin's parts share: its capability object, its webhooks, and its own measurements. */
export interface BusinessApp {
  readonly ctx: PluginContext<BusinessSettings>;
  readonly webhooks: Webhooks;
  /** From a customer message reaching the plugin to its conversation's automatic assignment stored. */
  readonly assignDurations: Durations;
  /**
   * Conversations this host opened and has not routed yet, by conversation id: their first message
   * is routed without reading the thread again (the assignment's compare-and-set still guards it).
   */
  readonly freshThreads: Map<string, ThreadRow>;
}
