/**
 * Phase 4 of `npm run bench -- messaging` (bench/messaging.ts): the unloaded round trip.
 *
 * ping_p50_ms / ping_p99_ms — send→ack latency of one sender sending one message at a time over
 * the pairs of phases 2 and 3, each after the previous one's ack and delivery, with a pause of
 * PING_GAP_MS between them (PING_WARMUP unmeasured, then PING_COUNT measured). Nothing queues, so
 * this is the floor under phase 3's figures: one trip through the host, one commit and the
 * answer, on a machine whose processes are idle between messages (waking them is part of it).
 */
import type { BenchHost } from '../support/bench-host.js';
import { cpuMeter } from '../support/cpu-meter.js';
import { assertHostAlive } from '../support/phase-util.js';
import { log, percentile, sleep } from '../support/util.js';
import type { PairDriver } from './pair-driver.js';

const PING_WARMUP = 50;
const PING_COUNT = 500;
const PING_GAP_MS = 5;
const PING_TIMEOUT_MS = 5_000;

export async function pingPhase(host: BenchHost, drivers: PairDriver[]): Promise<{ p50: number; p99: number }> {
  const latency: number[] = [];
  let meter: (() => string) | null = null;
  log(`ping: ${PING_WARMUP} + ${PING_COUNT} messages one at a time, ${PING_GAP_MS} ms apart`);
  for (let i = 0; i < PING_WARMUP + PING_COUNT; i++) {
    if (i === PING_WARMUP) meter = cpuMeter(host.child.pid, 'ping');
    const d = drivers[i % drivers.length]!;
    d.prefix = 'p';
    const done = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ack and delivery within ${PING_TIMEOUT_MS} ms`)),
        PING_TIMEOUT_MS,
      );
      d.onDone = (p) => {
        clearTimeout(timer);
        resolve(p.ack - p.sent);
      };
      d.onFailed = () => {
        clearTimeout(timer);
        reject(new Error('a send was refused'));
      };
    });
    d.sendOne();
    const ms = await done;
    if (i >= PING_WARMUP) latency.push(ms);
    assertHostAlive(host);
    await sleep(PING_GAP_MS);
  }
  if (meter) log(`ping: during the measured messages: ${meter()}`);
  const p50 = percentile(latency, 50);
  const p99 = percentile(latency, 99);
  log(
    `ping: send→ack p50 ${p50.toFixed(2)} ms, p90 ${percentile(latency, 90).toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, ` +
      `min ${percentile(latency, 0).toFixed(2)} ms`,
  );
  return { p50, p99 };
}
