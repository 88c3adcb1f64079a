/**
 * A harness for app authors: it boots a real host in this process, on a temporary SQLite
 * database and a random port, enables one app from its manifest in the real sandbox (a worker
 * process and an isolate, as in production), and lets a test act as users over HTTP. No
 * operator and no other setup are needed.
 *
 * The harness reaches the host through its package entry ('switchboard/host'), as any embedder
 * would; the SDK's declarations never import host code.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export interface HarnessOptions {
  /** Path of the app's manifest.json (its entry may be the .ts source or a built bundle). */
  manifest: string;
  /** The app's settings, as an operator would set them. */
  settings?: Record<string, unknown>;
  /** Per permission: false refuses it; an object narrows its scope (as plugins.enabled[].grants). */
  grants?: Record<string, false | Record<string, unknown>>;
  /** Further plugins to enable next to the app (entries of plugins.enabled). */
  plugins?: { id?: string; path?: string; settings?: Record<string, unknown> }[];
}

export interface HarnessUser { id: string; handle: string; token: string }
export interface HarnessConversation { id: string; title: string | null; [field: string]: unknown }
export interface HarnessMessage { id: string; seq: number; senderId: string; content: { type: string; [field: string]: unknown }; [field: string]: unknown }

/** An error the host answered with: its catalog code, HTTP status and message. */
export class HarnessError extends Error {
  constructor(readonly code: string, readonly status: number, message: string) {
    super(`${code} (${status}): ${message}`);
    this.name = 'HarnessError';
  }
}

export interface AppHarness {
  readonly url: string;
  /** The app's id and its bot user. */
  readonly app: { id: string; botUserId: string };
  createUser(handle?: string): Promise<HarnessUser>;
  /** A group owned by `owner` with the app's bot (and `members`) in it. */
  createGroup(owner: HarnessUser, title?: string, members?: HarnessUser[]): Promise<HarnessConversation>;
  /** Types a slash command; resolves to the reply shown to the user ("" when the app replied nothing). */
  command(user: HarnessUser, conversationId: string, text: string): Promise<{ text: string }>;
  send(user: HarnessUser, conversationId: string, text: string): Promise<HarnessMessage>;
  /** Taps a button or quick reply of an interactive message. */
  tap(user: HarnessUser, conversationId: string, messageId: string, buttonId: string): Promise<{ text: string }>;
  /** The whole history, oldest first. */
  history(user: HarnessUser, conversationId: string): Promise<HarnessMessage[]>;
  /** The app's health as operators see it: state, restarts, failures, CPU and memory. */
  health(): Promise<Record<string, unknown>>;
  /** The app's log lines, oldest first. */
  logs(): Promise<{ level: string; message: string; data: unknown; at: string }[]>;
  /** Any other HTTP call, as `user` (or as the operator with 'admin'). */
  http(method: string, path: string, options?: { as?: HarnessUser | 'admin'; body?: unknown }): Promise<{ status: number; body: any }>;
  stop(): Promise<void>;
}

/**
 * A variable, not a literal, so that type-checking an app's tests never pulls the host's
 * sources into the author's compilation; the harness only needs the two functions below.
 */
const HOST_PACKAGE = 'switchboard/host';

interface HostModule {
  startHost(config: unknown): Promise<{ url: string; stop(): Promise<void> }>;
  buildConfig(partial: unknown): unknown;
}

export async function startAppHarness(options: HarnessOptions): Promise<AppHarness> {
  const { startHost, buildConfig } = (await import(HOST_PACKAGE)) as HostModule;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-harness-'));
  const adminToken = `admin-${randomUUID()}`;
  const config = buildConfig({
    server: { host: '127.0.0.1', port: 0, shutdownGraceMs: 1000 },
    database: { url: `sqlite:${join(dir, 'switchboard.db')}` },
    dataDir: dir,
    auth: { adminToken },
    log: { level: 'silent' },
    sandbox: { workers: 1 },
    plugins: { enabled: [{ path: resolve(options.manifest), settings: options.settings ?? {}, grants: options.grants ?? {} }, ...(options.plugins ?? [])] },
  });
  let host: { url: string; stop(): Promise<void> };
  try {
    host = await startHost(config);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }

  const http: AppHarness['http'] = async (method, path, { as, body } = {}) => {
    const headers: Record<string, string> = {};
    const token = as === 'admin' ? adminToken : as?.token;
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${host.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : null };
  };
  const ok = async (method: string, path: string, opts: { as?: HarnessUser | 'admin'; body?: unknown }) => {
    const res = await http(method, path, opts);
    if (res.status >= 400) throw new HarnessError(res.body?.error?.code ?? 'unknown', res.status, res.body?.error?.message ?? '');
    return res.body;
  };

  const plugins = (await ok('GET', '/v1/admin/plugins', { as: 'admin' })).plugins as { id: string; status: string; botUserId: string; error: { code: string; message: string } | null }[];
  const app = plugins[0]!;
  if (app.status !== 'running') {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new HarnessError(app.error?.code ?? 'plugin_start_failed', 500, `The app ${app.id} did not start: ${app.error?.message ?? app.status}`);
  }
  let users = 0;

  return {
    url: host.url,
    app: { id: app.id, botUserId: app.botUserId },
    http,
    async createUser(handle) {
      const name = handle ?? `user${++users}`;
      const password = `pw-${randomUUID()}`;
      const created = await ok('POST', '/v1/admin/users', { as: 'admin', body: { handle: name, displayName: name, password } });
      const login = await ok('POST', '/v1/auth/login', { body: { handle: name, password } });
      return { id: created.id, handle: created.handle, token: login.token };
    },
    async createGroup(owner, title = 'Test room', members = []) {
      return ok('POST', '/v1/conversations', { as: owner, body: { title, memberIds: [app.botUserId, ...members.map((m) => m.id)] } });
    },
    async command(user, conversationId, text) {
      return { text: (await ok('POST', `/v1/conversations/${conversationId}/commands`, { as: user, body: { text } })).reply?.text ?? '' };
    },
    async send(user, conversationId, text) {
      return (await ok('POST', `/v1/conversations/${conversationId}/messages`, { as: user, body: { clientMsgId: randomUUID(), content: { type: 'text', text } } })).message;
    },
    async tap(user, conversationId, messageId, buttonId) {
      return { text: (await ok('POST', `/v1/conversations/${conversationId}/postbacks`, { as: user, body: { messageId, buttonId } })).reply?.text ?? '' };
    },
    async history(user, conversationId) {
      const all: HarnessMessage[] = [];
      for (let after = 0; ;) {
        const page = await ok('GET', `/v1/conversations/${conversationId}/messages?after=${after}&limit=100`, { as: user });
        all.push(...page.messages);
        if (!page.hasMore || page.messages.length === 0) return all;
        after = page.messages[page.messages.length - 1].seq;
      }
    },
    async health() {
      return ok('GET', `/v1/admin/apps/${app.id}`, { as: 'admin' });
    },
    async logs() {
      return (await ok('GET', `/v1/admin/plugins/${app.id}/logs?limit=500`, { as: 'admin' })).entries;
    },
    async stop() {
      await host.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
