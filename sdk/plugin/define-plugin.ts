import type { PluginContext } from './plugin-context.js';

/** A migration of the plugin's own data, run once (by name, in array order) at install or upgrade. */
export interface PluginMigration {
  /** Unique and ordered, e.g. "001-initial". */
  name: string;
  up(context: PluginContext): Promise<void>;
}

/** What a plugin's entry module exports as default. */
export interface PluginDefinition<Settings = Record<string, unknown>> {
  migrations?: readonly PluginMigration[];
  /** Register handlers here; the host waits for it before the plugin counts as started. */
  start?(context: PluginContext<Settings>): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** Identity function that gives the definition its types. */
export function definePlugin<Settings = Record<string, unknown>>(definition: PluginDefinition<Settings>): PluginDefinition<Settings> {
  return definition;
}
