/**
 * Cluster benchmark: `npm run bench -- cluster` (PostgreSQL only: DATABASE_URL; Redis at
 * REDIS_URL, default redis://127.0.0.1:6379).
 *
 * Three hosts run as child processes (test/support/child-host.ts, exactly like `npm start`) on one
 * fresh PostgreSQL schema and one Redis (`bus.url`, a `bus.prefix` of this run's own). Clients
 * are spread over the hosts, and the two members of each conversation sit on different hosts.
 * Progress goes to stderr; the last line of stdout is one JSON object. Phases, in this order:
 *
 * 1. single_host_msgs_per_s — the pair load of cluster/pair-load.ts (100 direct conversations,
 *    pipelined senders, a message counted once acked AND delivered) against ONE host without a
 *    bus on the same database, both members on it. Bounded by message counts.
 * 2. References, with no host running, shared with the messaging benchmark: ws_relay_msgs_per_s,
 *    the same load against a bare `ws` relay with no durability (support/ws-relay-reference.ts),
 *    and db_insert_rows_per_s, a bare batched insert loop on the same database
 *    (support/db-insert-reference.ts).
 * 3. msgs_per_s — the same load on the three hosts: sender of pair i on host i % 3, receiver on
 *    host (i + 1) % 3, so each message counts once delivered to the member on another host.
 * 4. cross_host_p50_ms / cross_host_p99_ms — send → delivered to the member on another host, at a
 *    fixed offered 2,000 msg/s (cluster/pair-load.ts); the hosts' /metrics for that window are
 *    printed to stderr (bus lag, send→ack, commit batches, query time per host).
 * 5. fanout_deliveries_per_s — bench/messaging/fanout.ts with the 1,000 members of the group
 *    spread over the three hosts (member i on host i % 3).
 * 6. failover_resume_s / failover_lost — cluster/failover.ts: kill -9 one host under load.
 *
 * BENCH_PHASES=single,relay,insert,cluster,fanout,failover runs only the phases named;
 * BENCH_HOST_LOG=DIR writes everything each host child printed to DIR/host-PID.log at the end;
 * BENCH_HOST_CPU_PROF=DIR CPU-profiles the first cluster host (support/cpu-profile.ts) and prints
 * its top frames for each measured window.
 *
 * Ratios: msgs_per_s (and single_host_msgs_per_s) over each reference, and msgs_per_s over
 * single_host_msgs_per_s (goal ≥ 0.8). Every child process is stopped and the schema dropped on
 * every exit path; a watchdog stops everything after 300 s.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { DeepPartial, HostConfig } from '../host/config/host-config.js';
import { createTestDatabase, type TestDatabase } from '../test/support/test-database.js';
import { failoverPhase } from './cluster/failover.js';
import { describeDelta, readHistograms } from './cluster/host-metrics.js';
import { pairLatency, pairThroughput } from './cluster/pair-load.js';
import { fanoutPhase } from './messaging/fanout.js';
import { setupPairs } from './messaging/pair-driver.js';
import { killOwnHostChildren, startBenchHost, type BenchHost } from './support/bench-host.js';
import { dbInsertPhase } from './support/db-insert-reference.js';
import { assertHostAlive, closeAll, type LoadTarget } from './support/phase-util.js';
import { log, round, selectedPhases } from './support/util.js';
import { profileWindows } from './support/cpu-meter.js';
import { summarizeProfile } from './support/cpu-profile.js';
import { wsRelayPhase } from './support/ws-relay-reference.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const HOSTS = 3;
const VICTIM = 2; // the host killed in the failover phase
const USERS = 1_000; // the fan-out group; pairs take users 0–199, 200–399 and 400–599
const THROUGHPUT = { warmup: 8_000, measured: 40_000 };
const LATENCY_RATE = 2_000;
const LATENCY = { warmup: 2_000, measured: 10_000 };
const DB_INSERT = { warmup: 10_240, measured: 102_400 };
const WATCHDOG_MS = 300_000; // a guard: a run takes about 2 minutes on a quiet 2-core machine

const ALL_PHASES = ['single', 'relay', 'insert', 'cluster', 'fanout', 'failover'] as const;
type Phase = (typeof ALL_PHASES)[number];

/** BENCH_PHASES=cluster,failover runs only those phases (for diagnosis; the figures of the others are null). */
const ratio = (a: number | null, b: number | null) => (a !== null && b ? round(a / b, 3) : null);

export default async function cluster(): Promise<void> {
  if (!process.env.DATABASE_URL) {
    process.stderr.write(
      'the cluster benchmark needs PostgreSQL (hosts sharing a database): set DATABASE_URL, ' +
        'e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npm run bench -- cluster\n',
    );
    process.exit(2);
  }
  const r = {
    msgs_per_s: null as number | null,
    cross_host_p50_ms: null as number | null,
    cross_host_p99_ms: null as number | null,
    fanout_deliveries_per_s: null as number | null,
    failover_resume_s: null as number | null,
    failover_lost: null as number | null,
    single_host_msgs_per_s: null as number | null,
    ws_relay_msgs_per_s: null as number | null,
    db_insert_rows_per_s: null as number | null,
  };
  const phases = selectedPhases(ALL_PHASES);
  const failures: string[] = [];
  const adminToken = `bench-admin-${randomBytes(24).toString('hex')}`;
  const metricsToken = `bench-metrics-${randomBytes(24).toString('hex')}`;
  const prefix = `bench-cluster-${randomUUID()}:`;
  const running = new Set<BenchHost>();
  let database: TestDatabase | null = null;

  const started: BenchHost[] = [];
  let stopping = false;
  // The watchdog and the main flow may both get here: they share one clean-up, so neither exits
  // while the other is still dropping the schema.
  let cleaning: Promise<void> | null = null;
  const cleanUp = () => (cleaning ??= cleanUpOnce());
  const cleanUpOnce = async () => {
    const hosts = [...running];
    running.clear();
    await Promise.all(hosts.map((h) => h.shutdown().catch((err: unknown) => log(`stop failed: ${String(err)}`))));
    killOwnHostChildren();
    const logDir = process.env.BENCH_HOST_LOG;
    if (logDir) {
      mkdirSync(logDir, { recursive: true });
      for (const h of started) writeFileSync(join(logDir, `host-${h.child.pid}.log`), h.child.output());
      log(`host output written to ${logDir}/host-PID.log`);
    }
    if (profiled && cpuProfDir) {
      for (const [name, window] of profileWindows) {
        log(`---- host ${profiled.child.pid} CPU profile, ${name} (measured window) ----`);
        for (const line of summarizeProfile(cpuProfDir, profiled.child.pid, window)) log(line);
      }
    }
    const db = database;
    database = null;
    await db?.drop().catch((err: unknown) => log(`could not drop the schema: ${(err as Error).message}`));
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length) await redis.del(...keys);
    } catch (err) {
      log(`could not remove the Redis keys ${prefix}*: ${(err as Error).message}`);
    } finally {
      redis.disconnect();
    }
  };
  const report = (code: number) => {
    const out = {
      bench: 'cluster',
      db: 'postgres',
      hosts: HOSTS,
      msgs_per_s: round(r.msgs_per_s, 0),
      cross_host_p50_ms: round(r.cross_host_p50_ms, 2),
      cross_host_p99_ms: round(r.cross_host_p99_ms, 2),
      fanout_deliveries_per_s: round(r.fanout_deliveries_per_s, 0),
      failover_resume_s: round(r.failover_resume_s, 3),
      failover_lost: r.failover_lost,
      single_host_msgs_per_s: round(r.single_host_msgs_per_s, 0),
      ws_relay_msgs_per_s: round(r.ws_relay_msgs_per_s, 0),
      db_insert_rows_per_s: round(r.db_insert_rows_per_s, 0),
      msgs_per_s_vs_single_host: ratio(r.msgs_per_s, r.single_host_msgs_per_s),
      msgs_per_s_vs_ws_relay: ratio(r.msgs_per_s, r.ws_relay_msgs_per_s),
      msgs_per_s_vs_db_insert: ratio(r.msgs_per_s, r.db_insert_rows_per_s),
      single_host_vs_ws_relay: ratio(r.single_host_msgs_per_s, r.ws_relay_msgs_per_s),
      single_host_vs_db_insert: ratio(r.single_host_msgs_per_s, r.db_insert_rows_per_s),
    };
    if (failures.length) log(`${failures.length} phase(s) failed:\n  ${failures.join('\n  ')}`);
    process.stdout.write(`${JSON.stringify(out)}\n`);
    process.exit(code);
  };
  const watchdog = setTimeout(() => {
    log(`watchdog: still running after ${WATCHDOG_MS / 1000} s; stopping`);
    stopping = true;
    failures.push('watchdog: the run took too long; the figures not measured by then are null');
    void cleanUp().finally(() => report(1));
  }, WATCHDOG_MS);
  watchdog.unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const)
    process.once(sig, () => {
      log(`${sig}: stopping`);
      void cleanUp().finally(() => process.exit(130));
    });
  // Last resort (an exception escaping everything): no host child may outlive the benchmark.
  process.once('exit', () => {
    for (const h of running) h.child.process.kill('SIGKILL');
  });

  const phase = async (name: Phase, fn: () => Promise<void>) => {
    if (!phases.has(name)) return;
    try {
      for (const h of running) assertHostAlive(h);
      await fn();
    } catch (err) {
      // After the watchdog, phases fail because their hosts were stopped: that is no news.
      if (stopping) return;
      const msg = (err as Error).message;
      failures.push(`${name}: ${msg.split('\n', 1)[0]!.slice(0, 300)}`);
      log(`${name}: FAILED: ${msg}`);
    }
  };
  const cpuProfDir = process.env.BENCH_HOST_CPU_PROF;
  let profiled: BenchHost | null = null;
  const start = async (config: DeepPartial<HostConfig>, profile = false): Promise<BenchHost> => {
    const host = await startBenchHost({
      share: { database: database!, adminToken },
      ...(profile && cpuProfDir ? { cpuProfDir } : {}),
      config: { websocket: { framesPerSecond: 100_000, burst: 100_000 }, metrics: { token: metricsToken }, ...config },
    });
    running.add(host);
    started.push(host);
    return host;
  };
  const stop = async (hosts: BenchHost[]) => {
    for (const h of hosts) running.delete(h);
    await Promise.all(hosts.map((h) => h.shutdown()));
  };
  const target = (label: string, hosts: BenchHost[]): LoadTarget => ({
    label,
    pids: hosts.map((h) => h.child.pid),
    assertAlive: () => hosts.forEach(assertHostAlive),
  });

  try {
    database = await createTestDatabase();
    log(
      `schema ${database.schema}, Redis prefix ${prefix}; load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${availableParallelism()} cores`,
    );
    const single = await start({});
    log(`single host pid ${single.child.pid} (no bus) on ${single.url}; creating ${USERS} users`);
    const users = await single.createUsers(USERS, `c${randomUUID().slice(0, 6)}_`);

    await phase('single', async () => {
      const { drivers, socks } = await setupPairs(single, users.slice(0, 200));
      try {
        r.single_host_msgs_per_s = await pairThroughput(target('single host', [single]), drivers, THROUGHPUT);
      } finally {
        await closeAll(socks);
      }
    });
    await stop([single]);

    await phase('relay', async () => {
      r.ws_relay_msgs_per_s = await wsRelayPhase((relay, drivers) => pairThroughput(relay, drivers, THROUGHPUT));
    });
    await phase('insert', async () => {
      r.db_insert_rows_per_s = await dbInsertPhase(database!, DB_INSERT);
    });

    const bus = { bus: { url: REDIS_URL, prefix } };
    const hosts = [await start(bus, true)];
    profiled = hosts[0]!;
    hosts.push(...(await Promise.all(Array.from({ length: HOSTS - 1 }, () => start(bus)))));
    log(`cluster: hosts ${hosts.map((h) => `pid ${h.child.pid} on ${h.url}`).join(', ')}`);
    const all = target('cluster', hosts);

    await phase('cluster', async () => {
      const { drivers, socks } = await setupPairs(hosts[0]!, users.slice(200, 400), (i) => ({
        sender: hosts[i % HOSTS]!.wsUrl,
        receiver: hosts[(i + 1) % HOSTS]!.wsUrl,
      }));
      try {
        r.msgs_per_s = await pairThroughput(all, drivers, THROUGHPUT);
        const before = await Promise.all(hosts.map((h) => readHistograms(h, metricsToken)));
        const lat = await pairLatency(all, drivers, LATENCY_RATE, LATENCY);
        r.cross_host_p50_ms = lat.deliveryP50;
        r.cross_host_p99_ms = lat.deliveryP99;
        const after = await Promise.all(hosts.map((h) => readHistograms(h, metricsToken)));
        hosts.forEach((h, i) => {
          for (const line of describeDelta(before[i]!, after[i]!)) log(`cluster latency, host ${i} /metrics: ${line}`);
        });
      } finally {
        await closeAll(socks);
      }
    });
    await phase('fanout', async () => {
      r.fanout_deliveries_per_s = await fanoutPhase(hosts[0]!, users, (i) => hosts[i % HOSTS]!.wsUrl, hosts);
    });
    await phase('failover', async () => {
      const f = await failoverPhase(hosts, users.slice(400, 600), database!, VICTIM);
      r.failover_resume_s = f.resumeS;
      r.failover_lost = f.lost;
    });
  } catch (err) {
    failures.push(`setup: ${(err as Error).message}`);
    log(`setup FAILED: ${(err as Error).message}`);
  }

  log('stopping the hosts, dropping the schema and the Redis keys');
  await cleanUp();
  clearTimeout(watchdog);
  report(failures.length ? 1 : 0);
}
