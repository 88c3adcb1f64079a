/**
 * Helpers for the plugin suites: manifests of the probe fixture written to temporary files,
 * config entries that enable them, the admin plugin API, and calling the probe's command.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, relative, dirname } from 'node:path';
import { expect } from 'vitest';
import type { TestHost, TestUser } from './start-test-host.js';
import { repoRoot } from './e2e.js';
import { eventually } from './eventually.js';
import type { ProbeOutcome, ProbeSettings } from '../fixtures/plugins/probe/index.js';

export type { ProbeOutcome, ProbeSettings };

export const PROBE_ENTRY = join(repoRoot, 'test/fixtures/plugins/probe/index.ts');
export const LIFECYCLE_ENTRY = join(repoRoot, 'test/fixtures/plugins/lifecycle/index.ts');

export const EVENT_NAMES = [
  'message.created',
  'message.updated',
  'conversation.member_added',
  'conversation.member_removed',
];

/** Every permission the probe can exercise, as a manifest requests it. */
export const ALL_PERMISSIONS: Record<string, object> = {
  'messages.send': {},
  'messages.edit': {},
  'messages.read': {},
  'messages.pin': {},
  'conversations.read': {},
  'conversations.manage': {},
  'users.read': {},
  presence: {},
  storage: {},
  events: { events: EVENT_NAMES },
  hooks: {},
  commands: {},
  secrets: {},
  'http.outbound': {},
};

/** The probe's settings schema (contributes.settings); `greeting` shows that defaults are applied. */
export const PROBE_SETTINGS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    command: { type: 'string', default: 'probe' },
    echoCommand: { type: 'string' },
    recordFile: { type: 'string' },
    subscribe: { type: 'array', items: { enum: EVENT_NAMES }, default: [] },
    throwOnEvent: { type: 'boolean', default: false },
    hook: {
      type: 'object',
      additionalProperties: false,
      required: ['action'],
      properties: {
        when: { type: 'string' },
        action: { enum: ['allow', 'append', 'reject', 'throw', 'slow', 'garbage', 'mutate'] },
        text: { type: 'string' },
        delayMs: { type: 'integer' },
      },
    },
    failStart: { type: 'string' },
    startMode: { enum: ['throw-null', 'throw-string', 'hang'] },
    stopMode: { enum: ['throw', 'hang'] },
    greeting: { type: 'string', default: 'hello' },
  },
};

export interface ProbeManifestOptions {
  version?: string;
  /** Absolute path of the entry module (made relative when the manifest is written). */
  entry?: string;
  permissions?: Record<string, object>;
  /** The command the probe answers (must match settings.command); default "probe". */
  command?: string;
  /** Also contribute `/echo <count:integer> <word> <rest...>`, answered when settings.echoCommand is "echo". */
  echo?: boolean;
  hooks?: { failMode: 'open' | 'closed'; order?: number; timeoutMs?: number }[];
  dependencies?: Record<string, string>;
  /** Merged over the result last: fields to add or override (undefined removes a field). */
  override?: Record<string, unknown>;
}

/** A valid manifest for the probe fixture (unless `override` breaks it). */
export function probeManifest(id: string, o: ProbeManifestOptions = {}): Record<string, unknown> {
  const commands: object[] = [
    {
      name: o.command ?? 'probe',
      description: 'Runs one capability call and replies with its outcome.',
      arguments: [
        { name: 'op', required: true, type: 'string' },
        { name: 'args', type: 'rest' },
      ],
    },
  ];
  if (o.echo) {
    commands.push({
      name: 'echo',
      description: 'Replies with the invocation it received.',
      arguments: [
        { name: 'count', required: true, type: 'integer' },
        { name: 'word', type: 'string' },
        { name: 'rest', type: 'rest' },
      ],
    });
  }
  const permissions = o.permissions ?? { commands: {} };
  const manifest: Record<string, unknown> = {
    id,
    name: `Probe ${id}`,
    version: o.version ?? '1.0.0',
    description: 'A test fixture that reports what its capabilities do.',
    author: { name: 'Switchboard tests' },
    engine: '^1.0.0',
    runtime: 'trusted',
    entry: o.entry ?? PROBE_ENTRY,
    permissions,
    contributes: {
      commands,
      settings: PROBE_SETTINGS_SCHEMA,
      ...(o.hooks ? { hooks: o.hooks.map((h) => ({ point: 'message.beforeStore', ...h })) } : {}),
      ...('events' in permissions ? { events: EVENT_NAMES } : {}),
    },
    ...(o.dependencies ? { dependencies: o.dependencies } : {}),
  };
  for (const [k, v] of Object.entries(o.override ?? {})) {
    if (v === undefined) delete manifest[k];
    else manifest[k] = v;
  }
  return manifest;
}

let scratch: string | null = null;
/** A fresh path in this process's scratch directory. */
export function scratchPath(name: string): string {
  scratch ??= mkdtempSync(join(tmpdir(), 'switchboard-plugins-'));
  return join(scratch, `${name}-${Math.random().toString(36).slice(2, 10)}`);
}

/** Writes a manifest (an object, whose absolute `entry` becomes relative to the file, or raw text); returns its path. */
export function writeManifest(manifest: Record<string, unknown> | string, name = 'manifest'): string {
  const path = `${scratchPath(name)}.json`;
  if (typeof manifest === 'string') {
    writeFileSync(path, manifest);
    return path;
  }
  const entry = manifest.entry;
  const written =
    typeof entry === 'string' && isAbsolute(entry) ? { ...manifest, entry: relative(dirname(path), entry) } : manifest;
  writeFileSync(path, JSON.stringify(written, null, 2));
  return path;
}

export interface EnabledEntry {
  path: string;
  settings?: Record<string, unknown>;
  grants?: Record<string, false | Record<string, unknown>>;
}

/** A plugins.enabled entry for a manifest object (written to a temporary file). */
export function enable(
  manifest: Record<string, unknown> | string,
  opts: {
    settings?: ProbeSettings | Record<string, unknown>;
    grants?: Record<string, false | Record<string, unknown>>;
  } = {},
): EnabledEntry {
  return {
    path: writeManifest(manifest, typeof manifest === 'string' ? 'raw' : String(manifest.id)),
    ...opts,
  } as EnabledEntry;
}

export interface PluginStatus {
  id: string;
  name: string;
  version: string;
  status: 'running' | 'failed' | 'disabled';
  botUserId: string | null;
  granted: string[];
  refused: string[];
  error: { code: string; message: string; details?: { path: string; message: string }[] } | null;
}

export async function listPlugins(host: TestHost): Promise<PluginStatus[]> {
  const res = await host.http('GET', '/v1/admin/plugins', { token: 'admin' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.plugins;
}

export async function pluginStatus(host: TestHost, id: string): Promise<PluginStatus> {
  const found = (await listPlugins(host)).find((p) => p.id === id);
  if (!found) throw new Error(`plugin ${id} is not listed by GET /v1/admin/plugins`);
  return found;
}

export async function botOf(host: TestHost, pluginId: string): Promise<string> {
  const { botUserId, status, error } = await pluginStatus(host, pluginId);
  if (!botUserId)
    throw new Error(`plugin ${pluginId} has no bot user (status ${status}, error ${JSON.stringify(error)})`);
  return botUserId;
}

/** A group owned by `owner` with `others`, to which the bots of the given plugins are then added. */
export async function roomWith(
  host: TestHost,
  owner: TestUser,
  pluginIds: string[],
  others: TestUser[] = [],
): Promise<any> {
  const room = await host.createGroup(owner, others, 'Plugin room');
  if (pluginIds.length > 0) {
    const userIds = await Promise.all(pluginIds.map((id) => botOf(host, id)));
    const added = await host.http('POST', `/v1/conversations/${room.id}/members`, {
      token: owner.token,
      body: { userIds },
    });
    expect(added.status, JSON.stringify(added.body)).toBe(200);
  }
  return room;
}

/** Invokes a slash command over HTTP. */
export function runCommand(host: TestHost, user: TestUser, conversationId: string, text: string) {
  return host.http('POST', `/v1/conversations/${conversationId}/commands`, { token: user.token, body: { text } });
}

export type Probe = (op: string, ...args: unknown[]) => Promise<ProbeOutcome>;

/** Calls the probe answering `/command` in a conversation; resolves with the outcome it replied. */
export function prober(host: TestHost, user: TestUser, conversationId: string, command = 'probe'): Probe {
  return async (op, ...args) => {
    const res = await runCommand(host, user, conversationId, `/${command} ${op} ${JSON.stringify(args)}`);
    if (res.status !== 200 || typeof res.body?.reply?.text !== 'string') {
      throw new Error(`/${command} ${op} answered ${res.status} ${JSON.stringify(res.body)}`);
    }
    return JSON.parse(res.body.reply.text) as ProbeOutcome;
  };
}

/** The value of a successful outcome; fails the test with the outcome otherwise. */
export function valueOf<T = any>(outcome: ProbeOutcome): T {
  if (!outcome.ok) throw new Error(`expected success, got ${JSON.stringify(outcome)}`);
  return outcome.value as T;
}

/** Asserts a PermissionDeniedError naming `permission` and saying how to get it granted. */
export function expectDenied(outcome: ProbeOutcome, permission: string) {
  expect(outcome).toMatchObject({ ok: false, code: 'permission_denied', permission });
  if (outcome.ok) return;
  expect(outcome.name).toBe('PermissionDeniedError');
  expect(outcome.message).toContain(permission);
  expect(outcome.message).toMatch(/grant/i);
}

export interface LogEntry {
  level: string;
  message: string;
  data: any;
  at: string;
}

export async function pluginLogs(host: TestHost, id: string, limit = 200): Promise<LogEntry[]> {
  const res = await host.http('GET', `/v1/admin/plugins/${id}/logs?limit=${limit}`, { token: 'admin' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.entries;
}

/** The "registration" lines the probe logged at start, by what it registered. */
export async function registrations(host: TestHost, id: string): Promise<Record<string, any>> {
  const lines = (await pluginLogs(host, id)).filter((e) => e.message === 'registration');
  return Object.fromEntries(lines.map((e) => [e.data.what, e.data]));
}

export interface AuditEntry {
  id: string;
  pluginId: string;
  capability: string;
  action: string;
  target: string;
  at: string;
}

export async function auditOf(host: TestHost, pluginId: string, limit = 100): Promise<AuditEntry[]> {
  const res = await host.http('GET', `/v1/admin/audit?pluginId=${pluginId}&limit=${limit}`, { token: 'admin' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.entries;
}

/** A fresh file the probe appends its records to. */
export function recordFile(name = 'record'): string {
  const path = `${scratchPath(name)}.jsonl`;
  appendFileSync(path, '');
  return path;
}

export function readRecords(path: string): any[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l));
}

/** Polls a record file until `count` records match `predicate` (10 s at most); resolves with them. */
export async function waitForRecords(
  path: string,
  predicate: (r: any) => boolean,
  count: number,
  timeoutMs = 10_000,
): Promise<any[]> {
  try {
    return await eventually(
      () => {
        const found = readRecords(path).filter(predicate);
        return found.length >= count && found;
      },
      { timeoutMs },
    );
  } catch {
    throw new Error(
      `${readRecords(path).filter(predicate).length} of ${count} matching records in ${path} after ${timeoutMs} ms:\n${existsSync(path) ? readFileSync(path, 'utf8') : ''}`,
    );
  }
}

/** Polls a record file until `predicate` matches a record (10 s at most); resolves with the first. */
export async function waitForRecord(path: string, predicate: (r: any) => boolean, timeoutMs = 10_000): Promise<any> {
  return (await waitForRecords(path, predicate, 1, timeoutMs))[0];
}

/**
 * The trusted fixture test/fixtures/plugins/svc-caller, enabled as `refusals-caller`: its command
 * `command` calls one of `services` and replies with the outcome as the caller received it.
 */
export function serviceCallerPlugin(services: string[], command: string, id = 'refusals-caller'): EnabledEntry {
  return enable(
    {
      id,
      name: 'Caller',
      version: '1.0.0',
      description: 'Calls services and reports what it got.',
      author: { name: 'Switchboard tests' },
      engine: '^1.0.0',
      runtime: 'trusted',
      entry: join(repoRoot, 'test/fixtures/plugins/svc-caller/index.ts'),
      permissions: { commands: {}, 'services.call': { services } },
      contributes: {
        commands: [
          {
            name: command,
            description: 'Calls a service.',
            arguments: [
              { name: 'op', required: true, type: 'string' },
              { name: 'args', type: 'rest' },
            ],
          },
        ],
      },
    },
    { settings: { command } },
  );
}
