/**
 * Sandbox benchmark: `npm run bench -- sandbox`.
 *
 * 1. Cold start: one worker process (as the host runs them) loads 300 copies of a small app
 *    (bench/sandbox-fixtures/idle.ts, bundled once), one after another, each a new isolate that
 *    runs the guest runtime, the app's bundle and its start(). cold_start_ms_p50 is the median
 *    host-side round trip of a load request.
 * 2. Idle memory: the same 300 apps stay loaded; idle_app_kb is the worker's resident memory
 *    growth divided by the apps (after a GC of the worker's own heap is not possible from here,
 *    so this is an upper bound).
 * 3. Events: a real host (in this process, SQLite or DATABASE_URL) runs the app
 *    bench/sandbox-fixtures/pinger.ts in the sandbox; a trusted plugin calls its service, whose
 *    handler makes one capability call (storage.get) and returns. events_per_s: 64 events in
 *    flight for 5 s after a warm-up; event_roundtrip_us_p50: one event at a time, 2,000 times.
 * The last line of stdout is
 *   {"bench":"sandbox","db":…,"cold_start_ms_p50":…,"event_roundtrip_us_p50":…,"events_per_s":…,"idle_app_kb":…}
 * Goals on 2 cores: cold start ≤ 5 ms p50; ≥ 5,000 events/s; ≤ 2 MB per idle app.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_APP_LIMITS } from '../sdk/app/app-limits.js';
import type { PluginContext } from '../sdk/plugin/plugin-context.js';
import { bundleApp } from '../sdk/cli/bundle-app.js';
import { buildConfig, startHost } from '../host/public-api.js';
import { guestScript } from '../host/sandbox/guest-script.js';
import { WorkerHandle } from '../host/sandbox/worker-handle.js';
import type { WorkerStats } from '../host/sandbox/rpc-protocol.js';
import { createTestDatabase, testDatabaseKind } from '../test/support/test-database.js';
import { log, percentile, round } from './support/util.js';

const fixtures = fileURLToPath(new URL('./sandbox-fixtures/', import.meta.url));
const APPS = 300;
const IN_FLIGHT = 64;
const MEASURE_MS = 5_000;
const WARMUP_MS = 1_000;
const SEQUENTIAL = 2_000;

async function coldStartAndIdle(): Promise<{ coldStartP50: number; coldStartP90: number; idleAppKb: number; heapPerAppKb: number }> {
  const code = (await bundleApp(`${fixtures}idle.ts`)).code;
  const worker = new WorkerHandle(await guestScript(), 256, (w, message) => {
    // Nobody hosts these apps: registrations are acknowledged and go nowhere.
    if (message.t === 'call') w.post({ t: 'ret', app: message.app, callId: message.callId, ok: true, value: null });
  }, () => {});
  await worker.ready;
  const boot = (i: number) => ({
    plugin: { id: `idle-${i}`, version: '1.0.0' }, self: { id: `bot-${i}`, handle: `idle-${i}`, displayName: 'Idle', kind: 'bot' },
    settings: {}, permissions: { granted: ['commands'], refused: [] }, maxPendingCalls: 64,
  });
  // Warm the worker's own code paths (not counted).
  for (let i = 0; i < 5; i++) await worker.request({ t: 'load', app: `warm-${i}`, code, boot: boot(i), limits: DEFAULT_APP_LIMITS });
  for (let i = 0; i < 5; i++) await worker.request({ t: 'unload', app: `warm-${i}` });
  const before = await worker.request<WorkerStats>({ t: 'ping' });
  const times: number[] = [];
  for (let i = 0; i < APPS; i++) {
    const started = performance.now();
    await worker.request({ t: 'load', app: `idle-${i}`, code, boot: boot(i), limits: DEFAULT_APP_LIMITS });
    times.push(performance.now() - started);
  }
  await new Promise((r) => setTimeout(r, 500));
  const after = await worker.request<WorkerStats>({ t: 'ping' });
  worker.kill();
  const heap = after.apps.reduce((sum, a) => sum + a.heapUsedBytes, 0) / after.apps.length;
  return {
    coldStartP50: percentile(times, 50),
    coldStartP90: percentile(times, 90),
    idleAppKb: (after.rssBytes - before.rssBytes) / 1024 / APPS,
    heapPerAppKb: heap / 1024,
  };
}

async function events(): Promise<{ eventsPerS: number; roundTripUsP50: number; db: string }> {
  const database = await createTestDatabase();
  const dir = mkdtempSync(join(tmpdir(), 'switchboard-bench-sandbox-'));
  const host = await startHost(buildConfig({
    server: { host: '127.0.0.1', port: 0 },
    database: { url: database.url, schema: database.schema, poolSize: Number(process.env.BENCH_POOL_SIZE ?? 10) },
    dataDir: dir,
    auth: { adminToken: `bench-${Date.now()}-admin-token-long-enough` },
    log: { level: 'warn' },
    sandbox: { workers: 1 },
    plugins: { enabled: [{ path: `${fixtures}pinger.json` }, { path: `${fixtures}driver.json` }] },
  }));
  try {
    const driver = (globalThis as { __sandboxBenchDriver?: PluginContext }).__sandboxBenchDriver;
    if (!driver) throw new Error('the bench driver plugin did not start');
    const ping = (n: number) => driver.services.call('pinger.ping', { n });
    for (let i = 0; i < 200; i++) await ping(i);

    const latencies: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const started = process.hrtime.bigint();
      await ping(i);
      latencies.push(Number(process.hrtime.bigint() - started) / 1000);
    }

    let done = 0;
    let measuring = false;
    let stop = false;
    const loop = async () => {
      while (!stop) {
        await ping(done);
        if (measuring) done++;
      }
    };
    const loops = Array.from({ length: IN_FLIGHT }, loop);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    measuring = true;
    const started = performance.now();
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    const elapsed = performance.now() - started;
    const counted = done;
    stop = true;
    await Promise.all(loops);
    return { eventsPerS: (counted / elapsed) * 1000, roundTripUsP50: percentile(latencies, 50), db: testDatabaseKind };
  } finally {
    await host.stop();
    await database.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

export default async function main(): Promise<void> {
  log(`sandbox bench: cold start and idle memory of ${APPS} apps in one worker`);
  const cold = await coldStartAndIdle();
  log(`cold start p50 ${cold.coldStartP50.toFixed(2)} ms, p90 ${cold.coldStartP90.toFixed(2)} ms; idle ${cold.idleAppKb.toFixed(0)} KB/app (heap ${cold.heapPerAppKb.toFixed(0)} KB)`);
  log(`sandbox bench: events through a real host, ${IN_FLIGHT} in flight for ${MEASURE_MS} ms`);
  const ev = await events();
  log(`events ${ev.eventsPerS.toFixed(0)}/s; round trip p50 ${ev.roundTripUsP50.toFixed(0)} µs`);
  process.stdout.write(`${JSON.stringify({
    bench: 'sandbox', db: ev.db,
    cold_start_ms_p50: round(cold.coldStartP50, 2),
    event_roundtrip_us_p50: round(ev.roundTripUsP50, 0),
    events_per_s: round(ev.eventsPerS, 0),
    idle_app_kb: round(cold.idleAppKb, 0),
  })}\n`);
  process.exit(0);
}
