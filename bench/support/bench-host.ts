/**
 * A Switchboard host in a child process (exactly like `npm start`) on a fresh database,
 * plus admin/user HTTP helpers for setting up load.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnHost, type ChildHost } from '../../test/support/child-host.js';
import { createTestDatabase, testDatabaseKind, type TestDatabase } from '../../test/support/test-database.js';
import type { DeepPartial, HostConfig } from '../../host/config/host-config.js';
import { profilingEnv } from './cpu-profile.js';
import { log, mapLimit } from './util.js';

export interface BenchUser {
  readonly id: string;
  readonly handle: string;
  readonly token: string;
}

export interface HttpResult<T = any> {
  status: number;
  body: T;
}

export interface BenchHost {
  readonly child: ChildHost;
  readonly db: 'sqlite' | 'postgres';
  readonly database: TestDatabase;
  readonly adminToken: string;
  readonly url: string;
  readonly wsUrl: string;
  http<T = any>(method: string, path: string, token: string | null, body?: unknown): Promise<HttpResult<T>>;
  /** Creates bot users (no password) through the admin API and issues a token for each. */
  createUsers(count: number, prefix: string, kind?: 'person' | 'bot'): Promise<BenchUser[]>;
  /** Stops the child (SIGTERM, then SIGKILL after a grace period) and drops the database. */
  shutdown(): Promise<void>;
}

export interface BenchHostOptions {
  config?: DeepPartial<HostConfig>;
  /**
   * Join another bench host's database (PostgreSQL: several hosts on one database) with its
   * admin token; this host then leaves the database to its owner at shutdown.
   */
  share?: { database: TestDatabase; adminToken: string };
  /**
   * If set, the child is CPU-profiled (see cpu-profile.ts); the profile is written to DIR
   * when the child gets SIGTERM, which shutdown() sends first.
   */
  cpuProfDir?: string;
  /** Modules (paths from the repository root) the child imports before the host (spawnHost). */
  imports?: string[];
}

/** SIGKILLs host processes that this process started (children running host/main.ts). */
export function killOwnHostChildren(): void {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== process.pid) continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.includes('host/main.ts')) continue;
      log(`killing host child ${entry} that never became ready`);
      process.kill(Number(entry), 'SIGKILL');
    } catch {
      /* the process is gone */
    }
  }
}

/** Removes spawnHost's temporary config directories that hold our (unique) admin token. */
function removeChildConfigDirs(adminToken: string): void {
  for (const entry of readdirSync(tmpdir())) {
    if (!entry.startsWith('switchboard-child-')) continue;
    const dir = join(tmpdir(), entry);
    try {
      if (readFileSync(join(dir, 'config.json'), 'utf8').includes(adminToken))
        rmSync(dir, { recursive: true, force: true });
    } catch {
      /* not ours, or gone */
    }
  }
}

export async function startBenchHost(opts: BenchHostOptions = {}): Promise<BenchHost> {
  const database = opts.share?.database ?? (await createTestDatabase());
  const adminToken = opts.share?.adminToken ?? `bench-admin-${randomBytes(24).toString('hex')}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'switchboard-bench-data-'));
  const base = opts.config ?? {};
  const config: DeepPartial<HostConfig> = {
    ...base,
    server: { host: '127.0.0.1', port: 0, shutdownGraceMs: 2000, ...base.server },
    database: { url: database.url, schema: database.schema, ...base.database },
    auth: { adminToken, ...base.auth },
    dataDir,
    // "info", not "warn": spawnHost waits for the "listening" line, which the host logs at info.
    // At info the host logs a line per HTTP request and per WebSocket connect and close, none per frame.
    log: { level: 'info', ...base.log },
  };
  const env: NodeJS.ProcessEnv = opts.cpuProfDir ? profilingEnv(opts.cpuProfDir) : {};
  let child: ChildHost;
  try {
    child = await spawnHost({ config, env, imports: opts.imports ?? [], timeoutMs: 60_000 });
  } catch (err) {
    // spawnHost does not stop a child that never logged "listening"; stop ours.
    killOwnHostChildren();
    removeChildConfigDirs(adminToken);
    // The start already failed and that error is rethrown below; a failed drop would only hide it.
    await database.drop().catch(() => {});
    rmSync(dataDir, { recursive: true, force: true });
    throw err;
  }

  const http = async <T = any>(
    method: string,
    path: string,
    token: string | null,
    body?: unknown,
  ): Promise<HttpResult<T>> => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${child.url}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      /* not JSON: keep the text */
    }
    return { status: res.status, body: parsed as T };
  };

  let stopped = false;
  return {
    child,
    db: testDatabaseKind,
    database,
    adminToken,
    url: child.url,
    wsUrl: child.wsUrl,
    http,
    async createUsers(count, prefix, kind = 'bot') {
      const indexes = Array.from({ length: count }, (_, i) => i);
      return mapLimit(indexes, 16, async (i) => {
        const handle = `${prefix}${i}`;
        const created = await http('POST', '/v1/admin/users', adminToken, {
          handle,
          displayName: `Bench ${handle}`,
          kind,
        });
        if (created.status !== 201)
          throw new Error(`POST /v1/admin/users → ${created.status} ${JSON.stringify(created.body)}`);
        const id = (created.body as { id: string }).id;
        const tok = await http('POST', `/v1/admin/users/${id}/tokens`, adminToken, {});
        if (tok.status !== 201)
          throw new Error(`POST /v1/admin/users/${id}/tokens → ${tok.status} ${JSON.stringify(tok.body)}`);
        return { id, handle, token: (tok.body as { token: string }).token };
      });
    },
    async shutdown() {
      if (stopped) return;
      stopped = true;
      const alive = child.process.exitCode === null && child.process.signalCode === null;
      if (alive) {
        child.process.kill('SIGTERM');
        const grace = opts.cpuProfDir ? 20_000 : 5_000;
        const timer = setTimeout(() => {
          log('host did not stop after SIGTERM; killing it');
          void child.kill('SIGKILL');
        }, grace);
        await child.exited;
        clearTimeout(timer);
      }
      try {
        if (!opts.share) await database.drop();
      } catch (err) {
        log(`could not drop the database: ${(err as Error).message}`);
      }
      rmSync(dataDir, { recursive: true, force: true });
      // spawnHost writes the config (with our admin token) to a temporary directory of its own.
      removeChildConfigDirs(adminToken);
    },
  };
}
