/**
 * Plugin manifests: every kind of broken manifest or plugin gets its own clear error in the admin
 * plugin list, the host starts and serves anyway, and valid plugins next to the broken ones run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { PLUGIN_EVENT_NAMES } from '../sdk/plugin/capabilities/events.js';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { online } from './support/protocol-helpers.js';
import { repoRoot } from './support/e2e.js';
import {
  PROBE_ENTRY,
  enable,
  listPlugins,
  probeManifest,
  prober,
  roomWith,
  valueOf,
  type EnabledEntry,
  type PluginStatus,
} from './support/plugin-helpers.js';

/** Each case: the config entry and how to find its status (manifest id, or the config path when the id is unreadable). */
const cases: Record<string, { entry: EnabledEntry; id?: string }> = {};
function add(name: string, manifest: Record<string, unknown> | string, opts: Parameters<typeof enable>[1] = {}) {
  const entry = enable(manifest, opts);
  cases[name] = { entry, ...(typeof manifest === 'string' ? {} : { id: String(manifest.id) }) };
}

// Valid plugins: a base, one that depends on it, and a probe with settings.
add('base', probeManifest('base-ok', { version: '1.2.0', command: 'base' }), { settings: { command: 'base' } });
add('dependent', probeManifest('dependent-ok', { command: 'dependent', dependencies: { 'base-ok': '^1.0.0' } }), {
  settings: { command: 'dependent' },
});

// Ids at the limits of the schema (3 and 32 characters: the id is also the bot's handle) are valid too.
const shortestId = 'abc';
const longestId = `l${'o'.repeat(26)}ngest`;
add('shortest id', probeManifest(shortestId, { command: 'shortest', permissions: { commands: {}, storage: {} } }), {
  settings: { command: 'shortest' },
});
add('longest id', probeManifest(longestId, { command: 'longest', permissions: { commands: {}, storage: {} } }), {
  settings: { command: 'longest' },
});

// Invalid manifests.
add('missing field', probeManifest('no-description', { override: { description: undefined } }));
add('bad id', probeManifest('Bad_Id!'));
add('too long id', probeManifest(`${longestId}x`));
add('bad version', probeManifest('bad-version', { version: '1.0' }));
add(
  'unknown permission',
  probeManifest('unknown-permission', { permissions: { commands: {}, 'messages.delete': {} } }),
);
add('bad scope', probeManifest('bad-scope', { permissions: { storage: { quotaBytes: 0 } } }));
add(
  'bad contribution',
  probeManifest('bad-contribution', {
    override: { contributes: { commands: [{ name: 'Not A Name', description: 'x' }] } },
  }),
);
add(
  'many errors',
  probeManifest('many-errors', { version: 'one', override: { author: undefined, runtime: 'docker' } }),
);
add('not json', '{ "id": "not-json", this is not JSON');
add('engine mismatch', probeManifest('engine-mismatch', { override: { engine: '^2.0.0' } }));
add('missing dependency', probeManifest('needs-missing', { dependencies: { 'never-enabled': '^1.0.0' } }));
add('dependency version', probeManifest('needs-base-2', { dependencies: { 'base-ok': '^2.0.0' } }));
add('cycle a', probeManifest('cycle-a', { dependencies: { 'cycle-b': '^1.0.0' } }));
add('cycle b', probeManifest('cycle-b', { dependencies: { 'cycle-a': '^1.0.0' } }));
add('self cycle', probeManifest('self-cycle', { dependencies: { 'self-cycle': '^1.0.0' } }));
add('needs invalid', probeManifest('needs-invalid', { dependencies: { 'no-description': '^1.0.0' } }));
add('needs cycle', probeManifest('needs-cycle', { dependencies: { 'cycle-a': '^1.0.0' } }));
add('bad settings', probeManifest('bad-settings'), { settings: { greeting: 42 } });
add('throwing start', probeManifest('throws-at-start'), { settings: { failStart: 'the probe refused to start' } });
add('throws null', probeManifest('throws-null'), { settings: { startMode: 'throw-null' } });
add('throws string', probeManifest('throws-string'), { settings: { startMode: 'throw-string' } });
add('missing entry', probeManifest('missing-entry', { entry: join(PROBE_ENTRY, '..', 'does-not-exist.ts') }));
add('no default export', probeManifest('no-default', { entry: join(PROBE_ENTRY, '../../no-default/index.ts') }));
add(
  'throws on import',
  probeManifest('throws-on-import', { entry: join(PROBE_ENTRY, '../../throws-on-import/index.ts') }),
);

describe('plugin manifests', () => {
  let host: TestHost;
  let statuses: PluginStatus[];
  beforeAll(async () => {
    host = await startTestHost({ config: { plugins: { enabled: Object.values(cases).map((c) => c.entry) } } });
    statuses = await listPlugins(host);
  });
  afterAll(async () => {
    await host?.stop();
  });

  function statusOf(name: string): PluginStatus {
    const c = cases[name]!;
    const found = statuses.find((p) => p.id === c.id) ?? statuses.find((p) => p.id === c.entry.path);
    if (!found)
      throw new Error(
        `no status for "${name}" (${c.id ?? c.entry.path}) in ${JSON.stringify(statuses.map((p) => p.id))}`,
      );
    return found;
  }
  function failure(name: string, code: string) {
    const s = statusOf(name);
    expect(s.status, JSON.stringify(s)).toBe('failed');
    expect(s.error?.code, JSON.stringify(s.error)).toBe(code);
    expect(s.error!.message.length).toBeGreaterThan(0);
    return s.error!;
  }
  const paths = (error: { details?: { path: string }[] }) => (error.details ?? []).map((d) => d.path);

  it('lists every configured plugin once, and starts the valid ones with a bot user', () => {
    expect(statuses).toHaveLength(Object.keys(cases).length);
    for (const name of ['base', 'dependent']) {
      const s = statusOf(name);
      expect(s, JSON.stringify(s)).toMatchObject({
        status: 'running',
        error: null,
        granted: ['commands'],
        refused: [],
      });
      expect(typeof s.botUserId).toBe('string');
    }
    expect(statusOf('base')).toMatchObject({ id: 'base-ok', name: 'Probe base-ok', version: '1.2.0' });
  });

  it('keeps serving users, and the valid plugins answer their commands', async () => {
    const user = await host.createUser();
    const room = await roomWith(host, user, ['base-ok', 'dependent-ok']);
    const client = await online(host, user);
    expect((await client.sendText(room.id, 'still here')).message.content.text).toBe('still here');
    expect(valueOf(await prober(host, user, room.id, 'base')('self')).plugin).toEqual({
      id: 'base-ok',
      version: '1.2.0',
    });
    expect(valueOf(await prober(host, user, room.id, 'dependent')('self')).plugin.id).toBe('dependent-ok');
  });

  it('runs plugins whose ids are as short or as long as the schema allows', async () => {
    expect(longestId).toHaveLength(32);
    const user = await host.createUser();
    for (const [name, id, command] of [
      ['shortest id', shortestId, 'shortest'],
      ['longest id', longestId, 'longest'],
    ] as const) {
      const s = statusOf(name);
      expect(s, JSON.stringify(s)).toMatchObject({ id, status: 'running', error: null });
      const room = await roomWith(host, user, [id]);
      const call = prober(host, user, room.id, command);
      expect(valueOf(await call('storage.set', 'k', 'v'))).toEqual({ version: 1 });
      expect(valueOf(await call('storage.get', 'k'))).toMatchObject({ value: 'v' });
    }
  });

  it('names a missing required field', () => {
    const error = failure('missing field', 'manifest_invalid');
    expect(error.details!.some((d) => d.message.includes('description'))).toBe(true);
  });

  it('points at a malformed id, version, unknown permission, bad scope and bad contribution', () => {
    expect(paths(failure('bad id', 'manifest_invalid'))).toContain('/id');
    expect(paths(failure('too long id', 'manifest_invalid'))).toContain('/id');
    expect(paths(failure('bad version', 'manifest_invalid'))).toContain('/version');
    // The pointer may name the unknown property itself.
    expect(paths(failure('unknown permission', 'manifest_invalid'))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^\/permissions(\/messages\.delete)?$/)]),
    );
    expect(paths(failure('bad scope', 'manifest_invalid'))).toContain('/permissions/storage/quotaBytes');
    expect(paths(failure('bad contribution', 'manifest_invalid'))).toContain('/contributes/commands/0/name');
  });

  it('reports every schema error of a manifest, not just the first', () => {
    const error = failure('many errors', 'manifest_invalid');
    expect(paths(error)).toEqual(expect.arrayContaining(['/version', '/runtime']));
    expect(error.details!.some((d) => d.message.includes('author'))).toBe(true);
  });

  it("lists a plugin whose manifest fails validation under the manifest's id, when that id can be read", () => {
    const readable = [
      'missing field',
      'bad version',
      'unknown permission',
      'bad scope',
      'bad contribution',
      'many errors',
      'engine mismatch',
      'self cycle',
    ];
    const listedUnder = Object.fromEntries(readable.map((name) => [name, statusOf(name).id]));
    expect(listedUnder).toEqual(Object.fromEntries(readable.map((name) => [name, cases[name]!.id])));
  });

  it('lists a manifest that is not JSON under its config path', () => {
    const s = statusOf('not json');
    expect(s.id).toBe(cases['not json']!.entry.path);
    expect(s.botUserId).toBeNull();
    failure('not json', 'manifest_invalid');
  });

  it('refuses an engine range that excludes plugin API 1.0.0', () => {
    expect(failure('engine mismatch', 'plugin_engine_mismatch').message).toMatch(/\^2\.0\.0|1\.0\.0/);
  });

  it('refuses a dependency that is not enabled, or enabled in a version out of range', () => {
    expect(failure('missing dependency', 'plugin_dependency_missing').message).toContain('never-enabled');
    expect(failure('dependency version', 'plugin_dependency_missing').message).toContain('base-ok');
  });

  it('refuses both plugins of a dependency cycle and names the cycle', () => {
    for (const name of ['cycle a', 'cycle b']) {
      expect(failure(name, 'plugin_dependency_cycle').message).toMatch(
        /cycle-a -> cycle-b -> cycle-a|cycle-b -> cycle-a -> cycle-b/,
      );
    }
  });

  it('refuses a plugin that depends on itself', () => {
    // The manifest check refuses it (as the CLI's validate does), before any cycle search.
    expect(failure('self cycle', 'manifest_invalid').details).toContainEqual({
      path: '/dependencies/self-cycle',
      message: 'a plugin cannot depend on itself',
    });
  });

  it('does not start a plugin whose dependency is invalid or in a cycle', () => {
    expect(failure('needs invalid', 'plugin_dependency_missing').message).toContain('no-description');
    expect(statusOf('needs cycle').status).toBe('failed');
  });

  it('refuses operator settings that break the settings schema, pointing at the setting', () => {
    expect(paths(failure('bad settings', 'plugin_settings_invalid'))).toContain('/greeting');
  });

  it('marks a plugin whose start() throws, or whose entry is missing, as failed to start', () => {
    failure('throwing start', 'plugin_start_failed');
    failure('missing entry', 'plugin_start_failed');
  });

  it('marks a plugin whose entry has no default export, or throws while loading, as failed to start', () => {
    failure('no default export', 'plugin_start_failed');
    expect(failure('throws on import', 'plugin_start_failed').message).toContain('this module refuses to load');
  });

  it('enabling a failed plugin retries its start, unless its configuration is what failed', async () => {
    const retried = await host.http('POST', '/v1/admin/plugins/throws-at-start/enable', { token: 'admin' });
    expect(retried.status).toBe(200);
    expect(retried.body).toMatchObject({ status: 'failed', error: { code: 'plugin_start_failed' } });
    const refused = await host.http('POST', '/v1/admin/plugins/bad-settings/enable', { token: 'admin' });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe('invalid_operation');
    expect((await listPlugins(host)).find((p) => p.id === 'bad-settings')?.status).toBe('failed');
  });

  it('also when start() throws something that is not an Error', () => {
    failure('throws null', 'plugin_start_failed');
    failure('throws string', 'plugin_start_failed');
  });
});

describe('a plugin whose start() never finishes', () => {
  let host: TestHost;
  afterAll(async () => {
    await host?.stop();
  });

  it('does not keep the host from starting, and is not counted as running', async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [enable(probeManifest('hangs'), { settings: { startMode: 'hang' } }), enable(probeManifest('fine'))],
        },
      },
    });
    const statuses = await listPlugins(host);
    expect(statuses.find((p) => p.id === 'fine')?.status).toBe('running');
    const hangs = statuses.find((p) => p.id === 'hangs')!;
    expect(hangs.status).toBe('failed');
    // The start's deadline passing is a start failure, like any other.
    expect(hangs.error?.code).toBe('plugin_start_failed');
  }, 60_000);
});

describe('plugins enabled by id', () => {
  let host: TestHost;
  afterAll(async () => {
    await host?.stop();
  });

  it('reads <manifestsDir>/<id>.json, with the entry relative to that manifest', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchboard-manifests-'));
    const manifest = probeManifest('shipped-probe', { command: 'shipped' });
    writeFileSync(join(dir, 'shipped-probe.json'), JSON.stringify({ ...manifest, entry: relative(dir, PROBE_ENTRY) }));
    host = await startTestHost({
      config: { plugins: { manifestsDir: dir, enabled: [{ id: 'shipped-probe', settings: { command: 'shipped' } }] } },
    });
    const [status] = await listPlugins(host);
    expect(status).toMatchObject({ id: 'shipped-probe', status: 'running', error: null });
    const user = await host.createUser();
    const room = await roomWith(host, user, ['shipped-probe']);
    expect(valueOf(await prober(host, user, room.id, 'shipped')('self')).plugin.id).toBe('shipped-probe');
  });
});

describe('the event names', () => {
  it('the manifest schema lists exactly the events the host delivers (PLUGIN_EVENT_NAMES)', () => {
    const schema = JSON.parse(readFileSync(join(repoRoot, 'sdk/plugin/manifest-schema.json'), 'utf8'));
    expect(schema.definitions.eventName.enum).toEqual([...PLUGIN_EVENT_NAMES]);
  });
});
