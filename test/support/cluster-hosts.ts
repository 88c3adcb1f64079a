/**
 * Several real host processes (as `npm start` runs them) on one PostgreSQL schema and one Redis
 * bus, each wrapped as a TestHost so the suites' helpers (businessApi, paymentsApi, runOp…) work
 * on any of them. Every host gets the same config (plugins, apps, limits): only its data
 * directory is its own. Each cluster uses Redis keys of its own (a fresh prefix).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { expect } from 'vitest';
import { buildConfig } from '../../host/config/load-config.js';
import type { DeepPartial, HostConfig } from '../../host/config/host-config.js';
import { spawnHost, type ChildHost } from './child-host.js';
import { connect, type TestClient } from './test-client.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';
import { randomUUID, type TestHost } from './start-test-host.js';
import { hostApi } from './host-api.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

export interface ClusterHost extends TestHost {
  readonly child: ChildHost;
}

export interface Cluster {
  readonly hosts: ClusterHost[];
  readonly database: TestDatabase;
  readonly prefix: string;
  /** Stops every host, drops the database and removes the cluster's Redis keys. */
  stop(): Promise<void>;
}

/**
 * Starts `count` hosts; the first migrates the fresh schema (and the plugins' tables), the others
 * then join it. Resolves once every host's plugins are running.
 */
export async function startCluster(
  o: { count?: number; config?: DeepPartial<HostConfig>; presenceIntervalMs?: number } = {},
): Promise<Cluster> {
  const count = o.count ?? 3;
  const database = await createTestDatabase();
  const prefix = `cluster-${randomUUID()}:`;
  const adminToken = `admin-${randomUUID()}-${randomUUID()}`;
  const configOf = (n: number): DeepPartial<HostConfig> => ({
    ...o.config,
    server: { host: '127.0.0.1', port: 0, shutdownGraceMs: 2000 },
    database: { url: database.url, schema: database.schema, poolSize: 5 },
    bus: { url: REDIS_URL, prefix, ...(o.presenceIntervalMs ? { presenceIntervalMs: o.presenceIntervalMs } : {}) },
    auth: { adminToken },
    dataDir: mkdtempSync(join(tmpdir(), `switchboard-cluster-${n}-`)),
    websocket: { framesPerSecond: 100_000, burst: 100_000 },
    // Tests send more than a person would, from one address, through every host.
    http: {
      rateLimits: {
        perToken: { requests: 100_000, windowSeconds: 60 },
        perAddress: { requests: 100_000, windowSeconds: 60 },
      },
      ...o.config?.http,
    },
  });
  const hosts: ClusterHost[] = [];
  const stop = async () => {
    await Promise.all(hosts.map((h) => h.stop()));
    await database.drop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  };
  try {
    hosts.push(wrap(await spawnHost({ config: configOf(0), timeoutMs: 60_000 }), configOf(0), database));
    const rest = await Promise.all(
      Array.from({ length: count - 1 }, (_, i) => spawnHost({ config: configOf(i + 1), timeoutMs: 60_000 })),
    );
    rest.forEach((child, i) => hosts.push(wrap(child, configOf(i + 1), database)));
    for (const host of hosts) {
      const res = await host.http('GET', '/v1/admin/plugins', { token: 'admin' });
      for (const p of res.body.plugins as { id: string; status: string }[])
        expect(p, `${JSON.stringify(p)}\n${host.child.output().slice(-4000)}`).toMatchObject({ status: 'running' });
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { hosts, database, prefix, stop };
}

function wrap(child: ChildHost, partial: DeepPartial<HostConfig>, database: TestDatabase): ClusterHost {
  const config = buildConfig(partial);
  const clients = new Set<TestClient>();
  const api = hostApi(() => child.url, config.auth.adminToken);
  const stopHostOnly = async () => {
    // A client that fails to close is gone already, and stopping the host ends its socket anyway.
    await Promise.all([...clients].map((c) => c.close().catch(() => {})));
    clients.clear();
    // A graceful stop lets the host end its sandbox workers; a host stuck past that is killed.
    const timer = setTimeout(() => child.process.kill('SIGKILL'), 10_000);
    await child.kill('SIGTERM');
    clearTimeout(timer);
  };
  const host: ClusterHost = {
    child,
    config,
    url: child.url,
    wsUrl: child.wsUrl,
    adminToken: config.auth.adminToken!,
    database,
    ...api,
    async connect(token, opts) {
      const client = await connect(child.wsUrl, token, opts);
      clients.add(client);
      return client;
    },
    stopHostOnly,
    // The cluster owns the database: stopping one host never drops it.
    stop: stopHostOnly,
  };
  return host;
}
