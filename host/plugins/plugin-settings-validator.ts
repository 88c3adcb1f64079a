import { Ajv } from 'ajv';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { PluginManifest } from '../../sdk/plugin/manifest.js';

/** Checks the operator's settings for a plugin against the schema its manifest contributes. */
export class PluginSettingsValidator {
  private readonly ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });

  /** A copy of the settings, with the schema's defaults filled in; throws plugin_settings_invalid. */
  validate(manifest: PluginManifest, settings: Record<string, unknown>): Record<string, unknown> {
    const schema = manifest.contributes?.settings;
    const copy = structuredClone(settings);
    if (!schema) return copy;
    const validate = this.ajv.compile(schema);
    if (!validate(copy)) {
      const details = (validate.errors ?? []).map((e) => ({
        path: e.instancePath || '/',
        message: e.message ?? 'is invalid',
      }));
      throw new SwitchboardError(
        'plugin_settings_invalid',
        `Settings for ${manifest.id} are invalid: ${details.map((d) => `${d.path} ${d.message}`).join('; ')}`,
        { details },
      );
    }
    return copy;
  }
}
