import type { PluginContext } from './plugin-context.js';
import type { PluginSchema } from './database.js';

/** What a migration gets: the plugin's capabilities, and (permission database) its schema. */
export interface PluginMigrationContext<Settings = Record<string, unknown>> extends PluginContext<Settings> {
  readonly schema: PluginSchema;
}

/**
 * A migration of the plugin's own data, run once (by name, in array order) at install or
 * upgrade. Each schema call is atomic; when a migration throws, the tables it created are
 * dropped again and the plugin fails to start, so the migration runs again at the next start.
 */
export interface PluginMigration {
  /** Unique and ordered, e.g. "001-initial". */
  name: string;
  up(context: PluginMigrationContext): Promise<void>;
}

/** What a plugin's entry module exports as default. */
export interface PluginDefinition<Settings = Record<string, unknown>> {
  migrations?: readonly PluginMigration[];
  /** Register handlers here; the host waits for it before the plugin counts as started. */
  start?(context: PluginContext<Settings>): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** Identity function that gives the definition its types. */
export function definePlugin<Settings = Record<string, unknown>>(
  definition: PluginDefinition<Settings>,
): PluginDefinition<Settings> {
  return definition;
}
