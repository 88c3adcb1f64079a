/**
 * Phase 3 of `npm run bench -- messaging` (bench/messaging.ts): latency.
 *
 * p50_ms / p99_ms — send→ack latency (the `result` whose replyTo is the send's id), measured
 * at a FIXED OFFERED RATE of 2,000 msg/s in total over the same 100 pairs (1 s warm-up, 5 s
 * measured), so the figure describes latency under a realistic load rather than the queueing
 * delay of the saturated phase 2 (those percentiles are printed to stderr for reference).
 * It runs after phase 2, so each conversation already holds ~1,000 messages of history.
 */
import type { BenchHost } from '../support/bench-host.js';
import { cpuMeter } from '../support/cpu-meter.js';
import { assertHostAlive } from '../support/phase-util.js';
import { log, percentile, sleep } from '../support/util.js';
import { drain, PAIRS, type PairDriver } from './pair-driver.js';

const LATENCY_RATE = 2_000; // msg/s offered in total
const LATENCY_WARMUP_MS = 1_000;
const LATENCY_MEASURE_MS = 5_000;
const LATENCY_MAX_IN_FLIGHT = 64; // per sender; beyond it an offered send is skipped (and reported)

export async function latencyPhase(host: BenchHost, drivers: PairDriver[]): Promise<{ p50: number; p99: number }> {
  const start = performance.now();
  const t0 = start + LATENCY_WARMUP_MS;
  const t1 = t0 + LATENCY_MEASURE_MS;
  const ackLatency: number[] = [];
  const deliveryLatency: number[] = [];
  let failed = 0;
  for (const d of drivers) {
    d.prefix = 'l';
    d.onDone = (p) => {
      if (p.sent >= t0 && p.sent < t1) {
        ackLatency.push(p.ack - p.sent);
        deliveryLatency.push(p.deliv - p.sent);
      }
    };
    d.onFailed = () => {
      failed++;
    };
  }
  log(
    `latency: fixed offered rate ${LATENCY_RATE} msg/s over ${PAIRS} senders; ${LATENCY_WARMUP_MS / 1000} s warm-up + ${LATENCY_MEASURE_MS / 1000} s measured`,
  );
  let offered = 0;
  let skipped = 0;
  let meter: (() => string) | null = null;
  const timer = setInterval(() => {
    const now = performance.now();
    if (now >= t1) return;
    if (!meter && now >= t0) meter = cpuMeter(host.child.pid, 'latency');
    const target = Math.floor(((now - start) * LATENCY_RATE) / 1000);
    while (offered < target) {
      const d = drivers[offered % drivers.length]!;
      offered++;
      if (d.pending.size >= LATENCY_MAX_IN_FLIGHT) {
        skipped++;
        continue;
      }
      d.sendOne();
    }
  }, 1);
  try {
    while (performance.now() < t1) {
      await sleep(Math.min(100, t1 - performance.now()));
      assertHostAlive(host);
    }
    if (meter) log(`latency: during the measured window: ${(meter as () => string)()}`);
  } finally {
    clearInterval(timer);
  }
  await drain(drivers, 'latency');
  const p50 = percentile(ackLatency, 50);
  const p99 = percentile(ackLatency, 99);
  log(
    `latency: ${ackLatency.length} samples; send→ack p50 ${p50.toFixed(2)} ms, p90 ${percentile(ackLatency, 90).toFixed(2)} ms, ` +
      `p99 ${p99.toFixed(2)} ms, max ${percentile(ackLatency, 100).toFixed(1)} ms; send→delivery p50 ${percentile(deliveryLatency, 50).toFixed(2)} ms, ` +
      `p99 ${percentile(deliveryLatency, 99).toFixed(2)} ms`,
  );
  if (skipped > 0)
    log(
      `latency: WARNING ${skipped} offered sends skipped: a sender had ${LATENCY_MAX_IN_FLIGHT} in flight (host below ${LATENCY_RATE} msg/s)`,
    );
  if (failed > 0) throw new Error(`${failed} sends were refused during the latency phase`);
  return { p50, p99 };
}
