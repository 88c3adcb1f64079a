/**
 * Phase 3 of `npm run bench -- sandbox` (bench/sandbox.ts): events through a real host.
 *
 * A real host (in this process, SQLite or DATABASE_URL) runs the app
 * bench/sandbox-fixtures/pinger.ts in the sandbox; a trusted plugin calls its service, whose
 * handler makes one capability call (storage.get) and returns. events_per_s: 64 events in
 * flight for 5 s after a warm-up; event_roundtrip_us_p50: one event at a time, 2,000 times.
 */
import { testDatabaseKind } from '../../test/support/test-database.js';
import { percentile } from '../support/util.js';
import { currentDriver, withBenchHost } from './sandbox-bench-host.js';

export const IN_FLIGHT = 64;
export const MEASURE_MS = 5_000;
const WARMUP_MS = 1_000;
const SEQUENTIAL = 2_000;

export async function events(): Promise<{ eventsPerS: number; roundTripUsP50: number; db: string }> {
  return withBenchHost({ workers: 1 }, ['pinger.json', 'driver.json'], async () => {
    const driver = currentDriver();
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
  });
}
