import { ALL_PERMISSIONS, PROBE_SETTINGS_SCHEMA, enable, probeManifest, type EnabledEntry } from './plugin-helpers.js';

/** Secrets given to the probe below, which no admin answer may contain. */
export const SECRETS = { token: 'tok-secret', apiKey: 'key-secret', password: 'pw-secret' };

/**
 * The probe under `id` (its command is `/<id>`), with secrets in its settings schema marked
 * `writeOnly`: at the top, nested, and in the items of a list; given values for all of them.
 */
export function secretSettingsProbe(id: string): EnabledEntry {
  const manifest = probeManifest(id, { command: id, permissions: ALL_PERMISSIONS });
  (manifest.contributes as Record<string, unknown>).settings = {
    ...PROBE_SETTINGS_SCHEMA,
    properties: {
      ...PROBE_SETTINGS_SCHEMA.properties,
      token: { type: 'string', writeOnly: true },
      provider: {
        type: 'object',
        default: {},
        properties: { apiKey: { type: 'string', writeOnly: true }, region: { type: 'string', default: 'eu' } },
      },
      mirrors: {
        type: 'array',
        items: { type: 'object', properties: { url: { type: 'string' }, password: { writeOnly: true } } },
      },
    },
  };
  return enable(manifest, {
    settings: {
      command: id,
      token: SECRETS.token,
      provider: { apiKey: SECRETS.apiKey },
      mirrors: [{ url: 'https://a.example', password: SECRETS.password }],
    },
  });
}
