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
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  HarnessError,
  type AppHarness,
  type HarnessAttachment,
  type HarnessConversation,
  type HarnessMessage,
  type HarnessOptions,
  type HarnessUser,
} from './harness-types.js';
import { historyPages, waitForMessage, type FetchPage } from './harness-history.js';

export * from './harness-types.js';

/**
 * A variable, not a literal, so that type-checking an app's tests never pulls the host's
 * sources into the author's compilation; the harness only needs the two functions below.
 */
const HOST_PACKAGE = 'switchboard/host';

interface HostModule {
  startHost: (config: unknown) => Promise<{ url: string; stop(): Promise<void> }>;
  buildConfig: (partial: unknown) => unknown;
}

/**
 * Where the host package is: next to the SDK package (an app's node_modules), or else from the
 * project under test (the working folder). The second is for the host's own checkout, where the
 * SDK is a package inside the host's folder and Node's self-reference cannot reach the host.
 */
function hostEntry(): string {
  for (const from of [import.meta.url, pathToFileURL(join(process.cwd(), 'package.json')).href]) {
    try {
      return createRequire(from).resolve(HOST_PACKAGE);
    } catch (err) {
      // Not found from here: try the next place. Anything else (a broken package.json) is real.
      if ((err as { code?: unknown }).code !== 'MODULE_NOT_FOUND') throw err;
    }
  }
  throw new Error(
    `The app harness needs the Switchboard host: install the package "switchboard" next to @switchboard/sdk (npm install --save-dev switchboard).`,
  );
}

/** An answer's parsed body, or its error as a HarnessError. */
function answer<T>(status: number, body: unknown): T {
  if (status >= 400) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new HarnessError(error?.code ?? 'unknown', status, error?.message ?? '');
  }
  return body as T;
}
const parsed = async (res: Response): Promise<unknown> => {
  const text = await res.text();
  return text ? (JSON.parse(text) as unknown) : null;
};

export async function startAppHarness(options: HarnessOptions): Promise<AppHarness> {
  const { startHost, buildConfig } = (await import(pathToFileURL(hostEntry()).href)) as HostModule;
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-harness-'));
  const adminToken = `admin-${randomUUID()}`;
  const config = buildConfig({
    server: { host: '127.0.0.1', port: 0, shutdownGraceMs: 1000 },
    database: { url: `sqlite:${join(dir, 'switchboard.db')}` },
    dataDir: dir,
    auth: { adminToken },
    log: { level: 'silent' },
    sandbox: { workers: 1 },
    plugins: {
      enabled: [
        { path: resolve(options.manifest), settings: options.settings ?? {}, grants: options.grants ?? {} },
        ...(options.plugins ?? []),
      ],
    },
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
    const res = await fetch(`${host.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
  };
  /** The body of a successful answer, in the shape the host's HTTP API documents for it. */
  const ok = async <T>(
    method: string,
    path: string,
    opts: { as?: HarnessUser | 'admin'; body?: unknown },
  ): Promise<T> => {
    const res = await http(method, path, opts);
    return answer<T>(res.status, res.body);
  };
  type Reply = { reply?: { text?: string } | null };
  const pageAs =
    (user: HarnessUser): FetchPage =>
    (path) =>
      ok('GET', path, { as: user });

  const { plugins } = await ok<{
    plugins: { id: string; status: string; botUserId: string; error: { code: string; message: string } | null }[];
  }>('GET', '/v1/admin/plugins', { as: 'admin' });
  const app = plugins[0]!;
  if (app.status !== 'running') {
    await host.stop();
    rmSync(dir, { recursive: true, force: true });
    throw new HarnessError(
      app.error?.code ?? 'plugin_start_failed',
      500,
      `The app ${app.id} did not start: ${app.error?.message ?? app.status}`,
    );
  }
  let users = 0;

  return {
    url: host.url,
    app: { id: app.id, botUserId: app.botUserId },
    http,
    async createUser(handle) {
      const name = handle ?? `user${++users}`;
      const password = `pw-${randomUUID()}`;
      const created = await ok<{ id: string; handle: string }>('POST', '/v1/admin/users', {
        as: 'admin',
        body: { handle: name, displayName: name, password },
      });
      const login = await ok<{ token: string }>('POST', '/v1/auth/login', { body: { handle: name, password } });
      return { id: created.id, handle: created.handle, token: login.token };
    },
    async createGroup(owner, title = 'Test room', members = []) {
      return ok<HarnessConversation>('POST', '/v1/conversations', {
        as: owner,
        body: { title, memberIds: [app.botUserId, ...members.map((m) => m.id)] },
      });
    },
    async command(user, conversationId, text) {
      return {
        text:
          (await ok<Reply>('POST', `/v1/conversations/${conversationId}/commands`, { as: user, body: { text } })).reply
            ?.text ?? '',
      };
    },
    async send(user, conversationId, text, options = {}) {
      return (
        await ok<{ message: HarnessMessage }>('POST', `/v1/conversations/${conversationId}/messages`, {
          as: user,
          body: { clientMsgId: randomUUID(), content: { type: 'text', text }, ...options },
        })
      ).message;
    },
    async upload(user, name, data, type) {
      // The bytes as they are, not JSON (protocol.md#attachments): the one call http() cannot make.
      const headers: Record<string, string> = { authorization: `Bearer ${user.token}` };
      if (type !== undefined) headers['content-type'] = type;
      const res = await fetch(`${host.url}/v1/attachments?name=${encodeURIComponent(name)}`, {
        method: 'POST',
        headers,
        body: data,
      });
      return answer<HarnessAttachment>(res.status, await parsed(res));
    },
    async download(user, attachmentId) {
      const view = await ok<{ url: string }>('GET', `/v1/attachments/${attachmentId}`, { as: user });
      const res = await fetch(`${host.url}${view.url}`);
      if (res.status >= 400) return answer(res.status, await parsed(res));
      return new Uint8Array(await res.arrayBuffer());
    },
    async tap(user, conversationId, messageId, buttonId) {
      return {
        text:
          (
            await ok<Reply>('POST', `/v1/conversations/${conversationId}/postbacks`, {
              as: user,
              body: { messageId, buttonId },
            })
          ).reply?.text ?? '',
      };
    },
    async history(user, conversationId, options) {
      return historyPages(pageAs(user), conversationId, options);
    },
    async waitForMessage(user, conversationId, match, options) {
      return waitForMessage(pageAs(user), conversationId, match, options);
    },
    async health() {
      return ok<Record<string, unknown>>('GET', `/v1/admin/apps/${app.id}`, { as: 'admin' });
    },
    async logs() {
      return (
        await ok<{ entries: Awaited<ReturnType<AppHarness['logs']>> }>(
          'GET',
          `/v1/admin/plugins/${app.id}/logs?limit=500`,
          { as: 'admin' },
        )
      ).entries;
    },
    async stop() {
      await host.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
