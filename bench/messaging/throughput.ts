/**
 * Phase 2 of `npm run bench -- messaging` (bench/messaging.ts): throughput. The same load runs
 * against the bare ws relay for the reference ws_relay_msgs_per_s (support/ws-relay-reference.ts),
 * given a LoadTarget instead of a host.
 *
 * msgs_per_s — 100 user pairs, one direct conversation each. Every sender keeps
 * THROUGHPUT_WINDOW sends in flight (a new send as soon as one message is both acked to the
 * sender and delivered as `message.created` to the other member). After a 2 s warm-up,
 * messages whose ack AND delivery both happened inside the 10 s measured window are counted;
 * msgs_per_s = count / 10.
 */
import type { BenchHost } from '../support/bench-host.js';
import { cpuMeter } from '../support/cpu-meter.js';
import { assertHostAlive, type LoadTarget } from '../support/phase-util.js';
import { log, percentile, sleep } from '../support/util.js';
import { drain, PAIRS, type PairDriver } from './pair-driver.js';

const THROUGHPUT_WINDOW = 16; // sends in flight per sender
const THROUGHPUT_WARMUP_MS = 2_000;
const THROUGHPUT_MEASURE_MS = 10_000;

export async function throughputPhase(
  on: BenchHost | LoadTarget,
  drivers: PairDriver[],
): Promise<{ msgsPerS: number; p50: number; p99: number }> {
  // A host's log lines and CPU window are named "throughput" (the CPU profile summary reads it).
  const target: LoadTarget =
    'child' in on ? { label: 'throughput', pids: [on.child.pid], assertAlive: () => assertHostAlive(on) } : on;
  const label = target.label;
  const start = performance.now();
  const t0 = start + THROUGHPUT_WARMUP_MS;
  const t1 = t0 + THROUGHPUT_MEASURE_MS;
  let sending = true;
  let counted = 0;
  let completed = 0;
  let failed = 0;
  const ackLatency: number[] = [];
  const refill = (d: PairDriver) => {
    while (sending && d.pending.size < THROUGHPUT_WINDOW) d.sendOne();
  };
  for (const d of drivers) {
    d.prefix = 't';
    d.onDone = (p) => {
      completed++;
      if (p.ack >= t0 && p.deliv >= t0 && p.ack < t1 && p.deliv < t1) counted++;
      if (p.sent >= t0 && p.sent < t1) ackLatency.push(p.ack - p.sent);
      refill(d);
    };
    d.onFailed = () => {
      failed++;
      refill(d);
    };
  }
  log(
    `${label}: ${PAIRS} senders × window ${THROUGHPUT_WINDOW}; ${THROUGHPUT_WARMUP_MS / 1000} s warm-up + ${THROUGHPUT_MEASURE_MS / 1000} s measured`,
  );
  for (const d of drivers) refill(d);
  let meter: (() => string) | null = null;
  let last = 0;
  const ticker = setInterval(() => {
    if (!meter && performance.now() >= t0) meter = cpuMeter(target.pids, label);
    log(`${label}: ${completed - last} msg/s completed${failed ? `, ${failed} failed so far` : ''}`);
    last = completed;
  }, 1_000);
  try {
    while (performance.now() < t1) {
      await sleep(Math.min(100, t1 - performance.now()));
      target.assertAlive();
    }
    if (meter) log(`${label}: during the measured window: ${(meter as () => string)()}`);
  } finally {
    sending = false;
    clearInterval(ticker);
  }
  await drain(drivers, label);
  const msgsPerS = counted / (THROUGHPUT_MEASURE_MS / 1000);
  const p50 = percentile(ackLatency, 50);
  const p99 = percentile(ackLatency, 99);
  log(
    `${label}: ${counted} messages acked+delivered in the window → ${msgsPerS.toFixed(0)} msg/s; ` +
      `send→ack at saturation p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (not reported; see the latency phase)`,
  );
  if (failed > 0) throw new Error(`${failed} sends were refused during the ${label} phase`);
  return { msgsPerS, p50, p99 };
}
