import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { startHost, type HostOptions, type RunningHost } from '../../host/host.js';
import { buildConfig } from '../../host/config/load-config.js';
import type { DeepPartial, HostConfig } from '../../host/config/host-config.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { connect, type ConnectOptions, type TestClient } from './test-client.js';
import { hostApi } from './host-api.js';

export interface TestUser {
  readonly id: string;
  readonly handle: string;
  readonly displayName: string;
  readonly token: string;
  readonly password: string;
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
  headers: Headers;
}

export interface TestHost {
  readonly config: HostConfig;
  readonly url: string;
  readonly wsUrl: string;
  readonly adminToken: string;
  readonly database: TestDatabase;
  /** Calls the HTTP API. `token: 'admin'` uses the admin token. */
  http<T = any>(
    method: string,
    path: string,
    opts?: { token?: string; body?: unknown; rawBody?: string | Buffer; headers?: Record<string, string> },
  ): Promise<HttpResult<T>>;
  /** Creates a person through the admin API and logs them in. */
  createUser(opts?: { handle?: string; displayName?: string; password?: string }): Promise<TestUser>;
  /** Opens an authenticated socket (resolves after `ready`). */
  connect(token: string | null, opts?: ConnectOptions): Promise<TestClient>;
  /** Creates a group owned by `owner` with the given members; resolves with the conversation. */
  createGroup(owner: TestUser, members: TestUser[], title?: string): Promise<any>;
  /** The direct conversation between two users. */
  direct(a: TestUser, b: TestUser): Promise<any>;
  /** Stops the host (keeping the database) so a test can start another host on it. */
  stopHostOnly(): Promise<void>;
  /** Stops the host, closes every client it opened and drops the database. */
  stop(): Promise<void>;
}

export interface TestHostOptions extends HostOptions {
  config?: DeepPartial<HostConfig>;
  /** Reuse a database (for restart tests) instead of a fresh one. */
  database?: TestDatabase;
}

/**
 * Boots a real host on a random port with a fresh database (SQLite file, or a PostgreSQL
 * schema when DATABASE_URL is set). Tests talk to it over real HTTP and WebSocket.
 */
export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const database = options.database ?? (await createTestDatabase());
  const adminToken = `admin-${randomUUID()}-${randomUUID()}`;
  const base = options.config ?? {};
  const config = buildConfig({
    ...base,
    server: { host: '127.0.0.1', port: 0, shutdownGraceMs: 2000, ...base.server },
    database: { url: database.url, schema: database.schema, poolSize: 5, ...base.database },
    auth: { adminToken, ...base.auth },
    // Attachment files (SQLite hosts) sit beside the test's database file, and go when it is dropped.
    attachments: { ...attachmentsDirOf(database), ...base.attachments },
    // Off unless a suite turns them on: a test host never fetches pages from the internet.
    linkPreviews: { enabled: false, ...base.linkPreviews },
    log: { level: (process.env.TEST_LOG_LEVEL as HostConfig['log']['level']) ?? 'silent', ...base.log },
  });
  let host: RunningHost | null = await startHost(config, options);
  const clients = new Set<TestClient>();

  const api = hostApi(() => host!.url, config.auth.adminToken);

  const testHost: TestHost = {
    config,
    get url() {
      return host!.url;
    },
    get wsUrl() {
      return host!.wsUrl;
    },
    adminToken: config.auth.adminToken!,
    database,
    ...api,
    async connect(token, opts) {
      const client = await connect(host!.wsUrl, token, opts);
      clients.add(client);
      return client;
    },
    async stopHostOnly() {
      // A client that fails to close is gone already, and stopping the host ends its socket anyway.
      await Promise.all([...clients].map((c) => c.close().catch(() => {})));
      clients.clear();
      if (host) {
        const h = host;
        host = null;
        await h.stop();
      }
    },
    async stop() {
      await testHost.stopHostOnly();
      if (!options.database) await database.drop();
    },
  };
  return testHost;
}

export { randomUUID };

function attachmentsDirOf(database: TestDatabase): { dir?: string } {
  if (!database.url.startsWith('sqlite:')) return {};
  return { dir: join(dirname(database.url.slice('sqlite:'.length)), 'attachments') };
}
