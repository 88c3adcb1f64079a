/**
 * A wrong config is refused with one line per bad field that says what would do: for a choice
 * between alternatives (a plugin entry's "id" or "path", a grant's false or object), the
 * alternatives, not Ajv's "must match exactly one schema in oneOf"; for a field with a pattern, its
 * rule in words, not the regex.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, resolveConfig } from '../host/config/load-config.js';

function detailsOf(raw: unknown): readonly { path: string; message: string }[] {
  try {
    resolveConfig(raw);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).code).toBe('config_invalid');
    return (err as ConfigError).details ?? [];
  }
  throw new Error('the config was accepted');
}

describe('config errors name what would do', () => {
  it('a plugin entry with both "id" and "path"', () => {
    expect(detailsOf({ plugins: { enabled: [{ id: 'payments', path: '/opt/p/manifest.json' }] } })).toEqual([
      { path: '/plugins/enabled/0', message: 'must have either "id" or "path", not both' },
    ]);
  });

  it('a plugin entry with neither, naming the plugin under a key the config does not know', () => {
    expect(detailsOf({ plugins: { enabled: [{ name: 'payments' }] } })).toEqual([
      { path: '/plugins/enabled/0', message: 'must have either "id" or "path", not both' },
      { path: '/plugins/enabled/0/name', message: 'is not a known setting' },
    ]);
  });

  it('a grant that is neither false nor an object, beside a plain error that keeps its field and message', () => {
    expect(
      detailsOf({ server: { port: '8080' }, plugins: { enabled: [{ id: 'payments', grants: { storage: 5 } }] } }),
    ).toEqual([
      { path: '/server/port', message: 'must be integer' },
      { path: '/plugins/enabled/0/grants/storage', message: 'must be false or an object' },
    ]);
  });

  it('a plugin id and a database URL that do not fit their patterns, in words', () => {
    expect(detailsOf({ database: { url: 'mysql://db/chat' }, plugins: { enabled: [{ id: 'Payments' }] } })).toEqual([
      { path: '/database/url', message: 'must be a sqlite:<path> or postgres://user@host:port/db URL' },
      {
        path: '/plugins/enabled/0/id',
        message: 'must be a plugin id: 3 to 32 lower-case letters, digits or dashes, starting with a letter',
      },
    ]);
  });
});
