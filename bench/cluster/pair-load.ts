/**
 * The pair load of `npm run bench -- cluster` (bench/cluster.ts), bounded by message counts: the
 * same 100 direct-conversation pairs (bench/messaging/pair-driver.ts) drive one host, three
 * hosts, or the bare ws relay (bench/support/ws-relay-reference.ts), so their figures compare.
 *
 * pairThroughput — every sender keeps THROUGHPUT_WINDOW sends in flight; a message completes once
 * acked to its sender AND delivered to the other member. The rate is measured between the
 * WARMUP-th and the (WARMUP + MEASURED)-th completion; senders keep their windows full until the
 * last counted completion, so the tail of the run (fewer messages in flight) is not measured.
 *
 * pairLatency — a FIXED OFFERED RATE (2,000 msg/s in total, round-robin over the senders) for
 * WARMUP + MEASURED sends; for the MEASURED ones, send → delivered to the other member (on
 * another host in the cluster) and send → ack.
 */
import { cpuMeter } from '../support/cpu-meter.js';
import type { LoadTarget } from '../support/phase-util.js';
import { log, percentile, sleep, waitUntil } from '../support/util.js';
import { drain, type PairDriver } from '../messaging/pair-driver.js';

const THROUGHPUT_WINDOW = 16; // sends in flight per sender, as in the messaging benchmark
const PHASE_TIMEOUT_MS = 60_000;

export async function pairThroughput(
  target: LoadTarget,
  drivers: PairDriver[],
  counts: { warmup: number; measured: number },
): Promise<number> {
  const goal = counts.warmup + counts.measured;
  let sending = true;
  let completed = 0;
  let failed = 0;
  let t0 = 0;
  let t1 = 0;
  let meter: (() => string) | null = null;
  const refill = (d: PairDriver) => {
    while (sending && d.pending.size < THROUGHPUT_WINDOW) d.sendOne();
  };
  for (const d of drivers) {
    d.prefix = `t${target.label[0]}`;
    d.onDone = () => {
      completed++;
      if (completed === counts.warmup) {
        t0 = performance.now();
        meter = cpuMeter(target.pids, `${target.label} throughput`);
      } else if (completed === goal) {
        t1 = performance.now();
        sending = false;
      }
      refill(d);
    };
    d.onFailed = () => {
      failed++;
      refill(d);
    };
  }
  log(
    `${target.label}: throughput, ${drivers.length} senders × window ${THROUGHPUT_WINDOW}; ` +
      `${counts.warmup} messages warm-up + ${counts.measured} measured`,
  );
  let last = 0;
  const ticker = setInterval(() => {
    log(`${target.label}: ${completed - last} msg/s completed${failed ? `, ${failed} failed so far` : ''}`);
    last = completed;
  }, 1_000);
  try {
    for (const d of drivers) refill(d);
    const done = await waitUntil(
      () => {
        target.assertAlive();
        return t1 > 0 || failed > 0;
      },
      PHASE_TIMEOUT_MS,
      20,
    );
    if (failed > 0) throw new Error(`${failed} sends were refused`);
    if (!done) throw new Error(`only ${completed} of ${goal} messages completed in ${PHASE_TIMEOUT_MS / 1000} s`);
    if (meter) log(`${target.label}: during the measured messages: ${(meter as () => string)()}`);
  } finally {
    sending = false;
    clearInterval(ticker);
  }
  await drain(drivers, `${target.label} throughput`);
  const rate = (counts.measured / (t1 - t0)) * 1000;
  log(
    `${target.label}: ${counts.measured} messages acked+delivered in ${(t1 - t0).toFixed(0)} ms → ${rate.toFixed(0)} msg/s`,
  );
  return rate;
}

export interface LatencyResult {
  deliveryP50: number;
  deliveryP99: number;
  ackP50: number;
  ackP99: number;
}

const LATENCY_MAX_IN_FLIGHT = 64; // per sender; beyond it an offered send is skipped (and reported)

export async function pairLatency(
  target: LoadTarget,
  drivers: PairDriver[],
  ratePerS: number,
  counts: { warmup: number; measured: number },
): Promise<LatencyResult> {
  const total = counts.warmup + counts.measured;
  const delivery: number[] = [];
  const ack: number[] = [];
  let from = Infinity; // send times of the measured messages
  let to = Infinity;
  let failed = 0;
  for (const d of drivers) {
    d.prefix = `l${target.label[0]}`;
    d.onDone = (p) => {
      if (p.sent >= from && p.sent < to) {
        delivery.push(p.deliv - p.sent);
        ack.push(p.ack - p.sent);
      }
    };
    d.onFailed = () => {
      failed++;
    };
  }
  log(
    `${target.label}: latency at a fixed ${ratePerS} msg/s over ${drivers.length} senders; ` +
      `${counts.warmup} messages warm-up + ${counts.measured} measured`,
  );
  const label = target.label;
  let offered = 0;
  let skipped = 0;
  let meter: (() => string) | null = null;
  const start = performance.now();
  const timer = setInterval(() => {
    const due = Math.min(total, Math.floor(((performance.now() - start) * ratePerS) / 1000));
    while (offered < due) {
      if (offered === counts.warmup) {
        from = performance.now();
        meter = cpuMeter(target.pids, `${label} latency`);
      }
      const d = drivers[offered % drivers.length]!;
      offered++;
      if (d.pending.size >= LATENCY_MAX_IN_FLIGHT) skipped++;
      else d.sendOne();
    }
    if (offered === total && to === Infinity) to = performance.now();
  }, 1);
  try {
    while (offered < total) {
      await sleep(50);
      target.assertAlive();
    }
  } finally {
    clearInterval(timer);
  }
  if (meter) log(`${label}: during the measured messages: ${(meter as () => string)()}`);
  await drain(drivers, `${label} latency`);
  if (failed > 0) throw new Error(`${failed} sends were refused during the latency phase`);
  if (skipped > 0)
    log(`${label}: WARNING ${skipped} offered sends skipped (a sender had ${LATENCY_MAX_IN_FLIGHT} in flight)`);
  const r: LatencyResult = {
    deliveryP50: percentile(delivery, 50),
    deliveryP99: percentile(delivery, 99),
    ackP50: percentile(ack, 50),
    ackP99: percentile(ack, 99),
  };
  log(
    `${label}: ${delivery.length} samples; send→delivered p50 ${r.deliveryP50.toFixed(2)} ms, ` +
      `p90 ${percentile(delivery, 90).toFixed(2)} ms, p99 ${r.deliveryP99.toFixed(2)} ms, max ${percentile(delivery, 100).toFixed(1)} ms; ` +
      `send→ack p50 ${r.ackP50.toFixed(2)} ms, p99 ${r.ackP99.toFixed(2)} ms`,
  );
  return r;
}
