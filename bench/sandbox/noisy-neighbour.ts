/**
 * Phase 4 of `npm run bench -- sandbox` (bench/sandbox.ts): the noisy neighbour.
 *
 * A new real host with `sandbox.workers: 1` runs the innocent pinger and a hostile app,
 * bench/sandbox-fixtures/hog.ts, in the same worker process (checked). The hog's service starts
 * 4 detached async loops and returns at once; each loop, for ever, awaits storage.get and then
 * busy-loops for 100 ms (under its cpuMsPerEvent of 1,000 ms, so every burst is allowed). Its
 * manifest asks for the manifest maxima of CPU per minute (600,000 ms) and of detached calls per
 * minute (100,000), and this host's sandbox.maxLimits grants them, so no budget stops it during
 * the window; everything else is the host's default. Once the hog's cpuMsLastMinute
 * (GET /v1/admin/apps/hog, admin token) is seen growing, the pinger's events are sent one at a
 * time for 3 s: noisy_neighbour_p50_ms / noisy_neighbour_p99_ms are their round trips, and
 * noisy_neighbour_hog_cpu_ms is the CPU time of the hog's isolate over the window (its cpuMs from
 * the same endpoint, read just before and just after; one core for the whole window is about
 * 3,000). The phase fails if the hog restarted, stopped or left the worker, or if the innocent
 * app restarted, so a hog that stopped cannot flatter the figure. The same app's round trips for
 * 1 s before the hog starts are logged (stderr) for comparison.
 */
import type { AppHealth } from '../../host/sandbox/app-health.js';
import { log, percentile, sleep } from '../support/util.js';
import { currentDriver, withBenchHost } from './sandbox-bench-host.js';

export const HOG_LOOPS = 4;
export const HOG_BURN_MS = 100;
export const NOISY_MS = 3_000;
/** The hog's health must show at least this much CPU per second of wall clock before the window opens. */
const HOG_MIN_BURN_MS_PER_S = 200;

async function appHealth(url: string, token: string, id: string): Promise<AppHealth> {
  const res = await fetch(`${url}/v1/admin/apps/${id}`, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET /v1/admin/apps/${id}: ${res.status} ${await res.text()}`);
  return (await res.json()) as AppHealth;
}

interface Noisy {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  samples: number;
  hogCpuMs: number;
  windowMs: number;
  quietP50Ms: number;
  quietP99Ms: number;
}

export async function noisyNeighbour(): Promise<Noisy> {
  // One worker: the innocent app and the hog share its process. The caps let the hog have
  // what its manifest asks for (the manifest maxima), so it keeps burning through the window.
  const sandbox = {
    workers: 1,
    maxLimits: { cpuMsPerEvent: 1_000, cpuMsPerMinute: 600_000, detachedCallsPerMinute: 100_000 },
  };
  return withBenchHost(sandbox, ['pinger.json', 'hog.json', 'noisy-driver.json'], async (host) => {
    const driver = currentDriver();
    if (!driver) throw new Error('the bench driver plugin did not start');
    const health = (id: string) => appHealth(host.url, host.adminToken, id);
    const ping = (n: number) => driver.services.call('pinger.ping', { n });
    const sequential = async (ms: number): Promise<number[]> => {
      const out: number[] = [];
      const end = performance.now() + ms;
      for (let i = 0; performance.now() < end; i++) {
        const started = performance.now();
        await ping(i);
        out.push(performance.now() - started);
      }
      return out;
    };
    for (let i = 0; i < 200; i++) await ping(i);
    const quiet = await sequential(1_000);

    const [pinger0, hog0] = await Promise.all([health('pinger'), health('hog')]);
    if (pinger0.state !== 'running' || hog0.state !== 'running')
      throw new Error(`apps not running: pinger ${pinger0.state}, hog ${hog0.state}`);
    if (pinger0.workerPid === null || pinger0.workerPid !== hog0.workerPid) {
      throw new Error(`the apps do not share a worker: pinger in ${pinger0.workerPid}, hog in ${hog0.workerPid}`);
    }
    log(`hog limits: ${JSON.stringify(hog0.limits)}`);
    const started = await driver.services.call('hog.start', { loops: HOG_LOOPS, burnMs: HOG_BURN_MS });
    log(`hog.start returned ${JSON.stringify(started)}`);

    // The hog must be seen burning before the window opens.
    let burning = false;
    let last = await health('hog');
    for (let i = 0; i < 20 && !burning; i++) {
      const t0 = performance.now();
      await sleep(500);
      const now = await health('hog');
      const rate = ((now.cpuMsLastMinute - last.cpuMsLastMinute) / (performance.now() - t0)) * 1000;
      log(
        `hog cpuMsLastMinute ${last.cpuMsLastMinute.toFixed(0)} → ${now.cpuMsLastMinute.toFixed(0)} (${rate.toFixed(0)} ms/s)`,
      );
      burning = now.state === 'running' && rate >= HOG_MIN_BURN_MS_PER_S;
      last = now;
    }
    if (!burning) throw new Error(`the hog is not burning CPU: ${JSON.stringify(last)}`);

    const before = await health('hog');
    const windowStart = performance.now();
    const latencies = await sequential(NOISY_MS);
    const windowMs = performance.now() - windowStart;
    const [after, pinger1] = await Promise.all([health('hog'), health('pinger')]);
    log(
      `hog after the window: state ${after.state}, restarts ${after.restarts}, failures ${JSON.stringify(after.failures)}, cpuMsLastMinute ${after.cpuMsLastMinute.toFixed(0)}`,
    );
    if (
      after.state !== 'running' ||
      after.restarts !== before.restarts ||
      after.workerPid !== before.workerPid ||
      pinger1.workerPid !== after.workerPid
    ) {
      throw new Error(
        `the hog stopped, restarted or moved during the window: before ${JSON.stringify(before)}, after ${JSON.stringify(after)}`,
      );
    }
    if (pinger1.restarts !== pinger0.restarts || pinger1.collateralRestarts !== pinger0.collateralRestarts) {
      throw new Error(`the innocent app restarted during the phase: ${JSON.stringify(pinger1)}`);
    }
    return {
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      maxMs: Math.max(...latencies),
      samples: latencies.length,
      hogCpuMs: after.cpuMs - before.cpuMs,
      windowMs,
      quietP50Ms: percentile(quiet, 50),
      quietP99Ms: percentile(quiet, 99),
    };
  });
}
