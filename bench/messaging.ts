/**
 * Messaging benchmark: `npm run bench -- messaging`.
 *
 * Runs a real host as a child process (test/support/child-host.ts, exactly like `npm start`) on
 * a fresh database — a new PostgreSQL schema when DATABASE_URL is set, else a new SQLite file —
 * and loads it with WebSocket clients from this process (127.0.0.1 only). Progress goes to
 * stderr; the last line of stdout is one JSON object:
 *
 *   {"bench":"messaging","db":"sqlite|postgres","msgs_per_s":…,"p50_ms":…,"p99_ms":…,
 *    "ping_p50_ms":…,"ping_p99_ms":…,
 *    "fanout_deliveries_per_s":…,"idle_conn_kb":…,"resume_1000_ms":…,
 *    "ws_relay_msgs_per_s":…,"db_insert_rows_per_s":…,
 *    "msgs_per_s_vs_ws_relay":…,"msgs_per_s_vs_db_insert":…}
 *
 * Phases (in this order; each closes its sockets before the next starts). Each figure is defined
 * in full at the top of its phase file under bench/messaging/; in short:
 *
 * 1. idle_conn_kb (idle-connections.ts) — host RSS growth per idle authenticated connection,
 *    over 10,000 of them (1,000 users × 10). It runs first, while the host heap holds little
 *    garbage.
 * 2. msgs_per_s (throughput.ts) — 100 direct conversations with pipelined senders; a message
 *    counts once acked to its sender AND delivered to the other member inside the 10 s window.
 * 3. p50_ms / p99_ms (latency.ts) — send→ack latency at a FIXED OFFERED RATE of 2,000 msg/s over
 *    the same 100 pairs (which by then hold ~1,000 messages of history each).
 * 4. ping_p50_ms / ping_p99_ms (ping.ts) — send→ack latency of one message at a time, 5 ms
 *    apart, over the same pairs: the unloaded floor under phase 3's figures.
 * 5. resume_1000_ms (resume.ts) — reconnect, `resume`, and receive 1,000 missed messages; median
 *    of 3 runs.
 * 6. fanout_deliveries_per_s (fanout.ts) — `message.created` frames received per second across
 *    the 1,000 connections of a 1,000-member group (4 closed-loop senders).
 * 7. ws_relay_msgs_per_s (relay; support/ws-relay-reference.ts) — a reference: phase 2's load
 *    (same pairs, same window, same warm-up and measured window) against a bare `ws` relay with no
 *    durability in a child process, as the host runs in one. The host is idle meanwhile.
 * 8. db_insert_rows_per_s (insert; support/db-insert-reference.ts) — a reference: a bare loop
 *    inserting batches of 256 rows, one transaction each, into a copy of the host's `messages`
 *    table on the same kind of database: on PostgreSQL in the host's schema (2 connections), on
 *    SQLite in a fresh file of its own with the host's pragmas (WAL, synchronous FULL; 1 writer).
 *
 * msgs_per_s_vs_ws_relay and msgs_per_s_vs_db_insert are msgs_per_s over each reference (null
 * when either figure is missing). The references run last, so they do not disturb the host's.
 * The pairs of phases 2 and 3 are set up by bench/messaging/pair-driver.ts.
 *
 * Host config: defaults except server.port 0, auth.adminToken (ours), the database above,
 * websocket.framesPerSecond = websocket.burst = 100,000 (the schema maximum) so the
 * per-connection rate limit (100/s, burst 200 by default) never refuses a benchmark frame (a
 * pipelining sender here sends several hundred frames per second), and log.level "info" rather
 * than "warn": spawnHost waits for the "listening" line, which the host logs at info; at that
 * level the host logs one line per HTTP request and per WebSocket connect and close, nothing
 * per frame.
 *
 * The CPU use of the host, of this process, of PostgreSQL and of everything else is printed for
 * each measured window: on a 2-core machine other load skews every figure.
 *
 * Options (environment):
 *   BENCH_PHASES=idle,throughput,latency,ping,resume,fanout,relay,insert   run only these phases
 *   BENCH_HOST_CPU_PROF=DIR   CPU-profile the host child (V8 sampling profiler via a --require
 *                             preload, see support/cpu-profile.ts); DIR/host-PID.cpuprofile is
 *                             written at shutdown; the top frames of each measured window and
 *                             the costliest SQL statement shapes are printed to stderr
 *   BENCH_HOST_LOG=FILE       write everything the host child printed to FILE at the end
 *                             (e.g. with DEBUG=knex:query to see the SQL the host runs)
 *
 * Every loop is bounded in count and time; a watchdog stops everything after 175 s.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { fanoutPhase } from './messaging/fanout.js';
import { idlePhase } from './messaging/idle-connections.js';
import { latencyPhase } from './messaging/latency.js';
import { pingPhase } from './messaging/ping.js';
import { setupPairs, type PairDriver } from './messaging/pair-driver.js';
import { resumePhase } from './messaging/resume.js';
import { throughputPhase } from './messaging/throughput.js';
import { killOwnHostChildren, startBenchHost, type BenchHost } from './support/bench-host.js';
import type { BenchSocket } from './support/bench-socket.js';
import { profileWindows } from './support/cpu-meter.js';
import { summarizeProfile, summarizeSql } from './support/cpu-profile.js';
import { dbInsertPhase } from './support/db-insert-reference.js';
import { assertHostAlive, closeAll } from './support/phase-util.js';
import { log, round, selectedPhases } from './support/util.js';
import { WS_RELAY_LABEL, wsRelayPhase } from './support/ws-relay-reference.js';

// ---- parameters --------------------------------------------------------------------------------

const MEMBERS = 1_000; // users shared by the idle, pair and fan-out phases
const WATCHDOG_MS = 175_000;

const ALL_PHASES = ['idle', 'throughput', 'latency', 'ping', 'resume', 'fanout', 'relay', 'insert'] as const;
const HOST_PHASES = ALL_PHASES.filter((p) => p !== 'relay' && p !== 'insert');
const DB_INSERT = { warmup: 10_240, measured: 102_400 }; // rows, as in the cluster benchmark

// ---- results -----------------------------------------------------------------------------------

interface Results {
  msgs_per_s: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  ping_p50_ms: number | null;
  ping_p99_ms: number | null;
  fanout_deliveries_per_s: number | null;
  idle_conn_kb: number | null;
  resume_1000_ms: number | null;
  ws_relay_msgs_per_s: number | null;
  db_insert_rows_per_s: number | null;
}

const ratio = (a: number | null, b: number | null) => (a !== null && b ? round(a / b, 2) : null);

// ---- main --------------------------------------------------------------------------------------

export default async function messaging(): Promise<void> {
  const phases = selectedPhases(ALL_PHASES);
  const results: Results = {
    msgs_per_s: null,
    p50_ms: null,
    p99_ms: null,
    ping_p50_ms: null,
    ping_p99_ms: null,
    fanout_deliveries_per_s: null,
    idle_conn_kb: null,
    resume_1000_ms: null,
    ws_relay_msgs_per_s: null,
    db_insert_rows_per_s: null,
  };
  const failures: string[] = [];
  let host: BenchHost | null = null;

  const stop = async (code: number) => {
    const h = host;
    host = null;
    if (h) await h.shutdown().catch((err: unknown) => log(`cleanup failed: ${(err as Error).message}`));
    else killOwnHostChildren();
    process.exit(code);
  };
  const watchdog = setTimeout(() => {
    log(`watchdog: still running after ${WATCHDOG_MS / 1000} s; stopping`);
    void stop(1);
  }, WATCHDOG_MS);
  watchdog.unref();
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      log(`${sig}: stopping`);
      void stop(130);
    });
  }

  const cpuProfDir = process.env.BENCH_HOST_CPU_PROF ? resolve(process.env.BENCH_HOST_CPU_PROF) : undefined;
  log(
    `starting host (${process.env.DATABASE_URL ? 'postgres' : 'sqlite'})${cpuProfDir ? `, CPU profile → ${cpuProfDir}` : ''}; ` +
      `load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} on ${availableParallelism()} cores`,
  );
  host = await startBenchHost({
    config: { websocket: { framesPerSecond: 100_000, burst: 100_000 } },
    ...(cpuProfDir ? { cpuProfDir } : {}),
  });
  const h: BenchHost = host;
  log(`host pid ${h.child.pid} listening on ${h.url}`);

  const phase = async (name: string, fn: () => Promise<void>) => {
    try {
      assertHostAlive(h);
      await fn();
    } catch (err) {
      const msg = (err as Error).message;
      failures.push(`${name}: ${msg}`);
      log(`${name}: FAILED: ${msg}`);
    }
  };

  try {
    const t0 = performance.now();
    const run = randomUUID().slice(0, 6);
    // Only the references selected: they need no users.
    const needUsers = HOST_PHASES.some((p) => phases.has(p));
    const users = needUsers ? await h.createUsers(MEMBERS, `m${run}_`) : [];
    const resumeUsers = needUsers ? await h.createUsers(2, `r${run}_`) : [];
    if (needUsers)
      log(
        `created ${users.length + resumeUsers.length} bot users with tokens in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );

    if (phases.has('idle'))
      await phase('idle', async () => {
        results.idle_conn_kb = await idlePhase(h, users);
      });

    if (phases.has('throughput') || phases.has('latency') || phases.has('ping')) {
      let pairs: { drivers: PairDriver[]; socks: BenchSocket[] } | null = null;
      await phase('pairs', async () => {
        pairs = await setupPairs(h, users);
      });
      const p = pairs as { drivers: PairDriver[]; socks: BenchSocket[] } | null;
      if (p) {
        if (phases.has('throughput')) {
          await phase('throughput', async () => {
            results.msgs_per_s = (await throughputPhase(h, p.drivers)).msgsPerS;
          });
        }
        if (phases.has('latency')) {
          await phase('latency', async () => {
            const r = await latencyPhase(h, p.drivers);
            results.p50_ms = r.p50;
            results.p99_ms = r.p99;
          });
        }
        if (phases.has('ping')) {
          await phase('ping', async () => {
            const r = await pingPhase(h, p.drivers);
            results.ping_p50_ms = r.p50;
            results.ping_p99_ms = r.p99;
          });
        }
        await closeAll(p.socks);
      }
    }

    if (phases.has('resume'))
      await phase('resume', async () => {
        results.resume_1000_ms = await resumePhase(h, resumeUsers[0]!, resumeUsers[1]!);
      });
    if (phases.has('fanout'))
      await phase('fanout', async () => {
        results.fanout_deliveries_per_s = await fanoutPhase(h, users);
      });
    if (phases.has('relay'))
      await phase('relay', async () => {
        results.ws_relay_msgs_per_s = await wsRelayPhase(
          async (relay, drivers) => (await throughputPhase(relay, drivers)).msgsPerS,
        );
      });
    if (phases.has('insert'))
      await phase('insert', async () => {
        // PostgreSQL: the host's schema, which the host has migrated; SQLite: a file of its own.
        results.db_insert_rows_per_s = await dbInsertPhase(h.database, DB_INSERT);
      });
  } catch (err) {
    failures.push(`setup: ${(err as Error).message}`);
    log(`setup FAILED: ${(err as Error).message}`);
  }

  const db = h.db;
  log('stopping host and dropping the database');
  await h.shutdown().catch((err: unknown) => log(`cleanup failed: ${(err as Error).message}`));
  if (process.env.BENCH_HOST_LOG) {
    writeFileSync(process.env.BENCH_HOST_LOG, h.child.output());
    log(`host output written to ${process.env.BENCH_HOST_LOG}`);
  }
  host = null;
  if (cpuProfDir) {
    try {
      for (const [name, window] of profileWindows) {
        if (name.startsWith(WS_RELAY_LABEL)) continue; // the relay's window, not the host's
        log(`---- host CPU profile, ${name} phase (measured window) ----`);
        for (const line of summarizeProfile(cpuProfDir, h.child.pid, window)) log(line);
      }
      for (const line of summarizeSql(cpuProfDir, h.child.pid)) log(line);
    } catch (err) {
      log(`could not read the CPU profile: ${(err as Error).message}`);
    }
  }
  clearTimeout(watchdog);

  const out = {
    bench: 'messaging',
    db,
    msgs_per_s: round(results.msgs_per_s, 0),
    p50_ms: round(results.p50_ms, 2),
    p99_ms: round(results.p99_ms, 2),
    ping_p50_ms: round(results.ping_p50_ms, 2),
    ping_p99_ms: round(results.ping_p99_ms, 2),
    fanout_deliveries_per_s: round(results.fanout_deliveries_per_s, 0),
    idle_conn_kb: round(results.idle_conn_kb, 2),
    resume_1000_ms: round(results.resume_1000_ms, 1),
    ws_relay_msgs_per_s: round(results.ws_relay_msgs_per_s, 0),
    db_insert_rows_per_s: round(results.db_insert_rows_per_s, 0),
    msgs_per_s_vs_ws_relay: ratio(results.msgs_per_s, results.ws_relay_msgs_per_s),
    msgs_per_s_vs_db_insert: ratio(results.msgs_per_s, results.db_insert_rows_per_s),
  };
  if (failures.length) log(`${failures.length} phase(s) failed:\n  ${failures.join('\n  ')}`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(failures.length ? 1 : 0);
}
