import type { PluginContext } from '../plugin/plugin-context.js';

/**
 * What a sandboxed mini-app gets: the same capability object as a trusted plugin, less the
 * database (apps keep their data in storage). Inside the sandbox every call is copied across
 * the boundary, so arguments and results are plain JSON data: functions, symbols, class
 * instances and proxies do not cross.
 */
export type AppContext<Settings = Record<string, unknown>> = Omit<PluginContext<Settings>, 'database'>;

/** What an app's bundle exports as default. */
export interface AppDefinition<Settings = Record<string, unknown>> {
  /** Register handlers here; the app counts as started when it resolves. */
  start(context: AppContext<Settings>): void | Promise<void>;
  stop?(): void | Promise<void>;
}

/** Identity function that gives the definition its types. */
export function defineApp<Settings = Record<string, unknown>>(
  definition: AppDefinition<Settings>,
): AppDefinition<Settings> {
  return definition;
}
