/**
 * Sandbox benchmark: `npm run bench -- sandbox`.
 *
 * Phases (in this order). Each figure is defined in full at the top of its phase file under
 * bench/sandbox/; in short:
 *
 * 1. cold_start_ms_p50 (cold-start.ts) — one worker process loads 300 copies of a small app, one
 *    after another; the median host-side round trip of a load request.
 * 2. idle_app_kb (cold-start.ts) — the same 300 apps stay loaded; the worker's resident memory
 *    growth per app (an upper bound).
 * 3. events_per_s / event_roundtrip_us_p50 (events.ts) — a real host (in this process, SQLite or
 *    DATABASE_URL) runs bench/sandbox-fixtures/pinger.ts; a trusted plugin calls its service,
 *    64 events in flight for 5 s, then one at a time 2,000 times.
 * 4. noisy_neighbour_p50_ms / noisy_neighbour_p99_ms / noisy_neighbour_hog_cpu_ms
 *    (noisy-neighbour.ts) — a new real host with `sandbox.workers: 1` runs the innocent pinger and
 *    a hostile app, bench/sandbox-fixtures/hog.ts, in the same worker; the pinger's round trips,
 *    one at a time for 3 s while the hog burns CPU, and the hog's CPU time over that window.
 *
 * The real hosts of phases 3 and 4 are started by bench/sandbox/sandbox-bench-host.ts.
 *
 * The last line of stdout is
 *   {"bench":"sandbox","db":…,"cold_start_ms_p50":…,"event_roundtrip_us_p50":…,"events_per_s":…,"idle_app_kb":…,
 *    "noisy_neighbour_p50_ms":…,"noisy_neighbour_p99_ms":…,"noisy_neighbour_hog_cpu_ms":…}
 * Goals on 2 cores: cold start ≤ 5 ms p50; ≥ 5,000 events/s; ≤ 2 MB per idle app; an innocent
 * app's p99 round trip ≤ 50 ms next to a burning neighbour in its worker.
 */
import { APPS, coldStartAndIdle } from './sandbox/cold-start.js';
import { events, IN_FLIGHT, MEASURE_MS } from './sandbox/events.js';
import { HOG_BURN_MS, HOG_LOOPS, NOISY_MS, noisyNeighbour } from './sandbox/noisy-neighbour.js';
import { log, round } from './support/util.js';

export default async function main(): Promise<void> {
  log(`sandbox bench: cold start and idle memory of ${APPS} apps in one worker`);
  const cold = await coldStartAndIdle();
  log(
    `cold start p50 ${cold.coldStartP50.toFixed(2)} ms, p90 ${cold.coldStartP90.toFixed(2)} ms; idle ${cold.idleAppKb.toFixed(0)} KB/app (heap ${cold.heapPerAppKb.toFixed(0)} KB)`,
  );
  log(`sandbox bench: events through a real host, ${IN_FLIGHT} in flight for ${MEASURE_MS} ms`);
  const ev = await events();
  log(`events ${ev.eventsPerS.toFixed(0)}/s; round trip p50 ${ev.roundTripUsP50.toFixed(0)} µs`);
  log(
    `sandbox bench: noisy neighbour, ${HOG_LOOPS} detached loops burning ${HOG_BURN_MS} ms bursts in the same worker, ${NOISY_MS} ms of events one at a time`,
  );
  const noisy = await noisyNeighbour();
  log(`quiet (no hog, same host) p50 ${noisy.quietP50Ms.toFixed(2)} ms, p99 ${noisy.quietP99Ms.toFixed(2)} ms`);
  log(
    `noisy neighbour: ${noisy.samples} events, p50 ${noisy.p50Ms.toFixed(2)} ms, p99 ${noisy.p99Ms.toFixed(2)} ms, max ${noisy.maxMs.toFixed(2)} ms; hog used ${noisy.hogCpuMs.toFixed(0)} ms CPU in ${noisy.windowMs.toFixed(0)} ms`,
  );
  process.stdout.write(
    `${JSON.stringify({
      bench: 'sandbox',
      db: ev.db,
      cold_start_ms_p50: round(cold.coldStartP50, 2),
      event_roundtrip_us_p50: round(ev.roundTripUsP50, 0),
      events_per_s: round(ev.eventsPerS, 0),
      idle_app_kb: round(cold.idleAppKb, 0),
      noisy_neighbour_p50_ms: round(noisy.p50Ms, 2),
      noisy_neighbour_p99_ms: round(noisy.p99Ms, 2),
      noisy_neighbour_hog_cpu_ms: round(noisy.hogCpuMs, 0),
    })}\n`,
  );
  process.exit(0);
}
