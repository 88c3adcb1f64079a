import { pathToFileURL } from 'node:url';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PluginDefinition } from '../../sdk/plugin/define-plugin.js';

/** Imports a trusted plugin's entry file (in this process) and checks its default export is a definition. */
export async function importDefinition(entryFile: string): Promise<PluginDefinition> {
  const mod = (await import(pathToFileURL(entryFile).href)) as { default?: PluginDefinition };
  const definition = mod.default;
  if (
    !definition ||
    typeof definition !== 'object' ||
    (definition.start !== undefined && typeof definition.start !== 'function')
  ) {
    throw new SwitchboardError(
      'plugin_start_failed',
      `${entryFile} must export default definePlugin({ start(context) { … } }).`,
    );
  }
  return definition;
}
