/**
 * Phase 1 of `npm run bench -- messaging` (bench/messaging.ts): idle connections.
 *
 * idle_conn_kb — 10,000 idle connections (1,000 users × 10 connections, Authorization
 * header, each waits for `ready`). The host child's VmRSS (/proc/PID/status) is read after a
 * warm-up of 100 connections and a 2 s settle, then again 2 s after the 10,000 are open;
 * idle_conn_kb = (after − before) / 10,000. It runs first, while the host heap holds little
 * garbage from earlier load that a GC could release during the measurement.
 */
import type { BenchHost, BenchUser } from '../support/bench-host.js';
import { openSocket, type BenchSocket } from '../support/bench-socket.js';
import { assertHostAlive, closeAll } from '../support/phase-util.js';
import { log, mapLimit, rssKb, sleep } from '../support/util.js';

const IDLE_CONNECTIONS = 10_000; // MEMBERS (bench/messaging.ts) × 10
const IDLE_OPEN_CONCURRENCY = 200;
const IDLE_SETTLE_MS = 2_000;

export async function idlePhase(host: BenchHost, users: BenchUser[]): Promise<number> {
  const pid = host.child.pid;
  log(`idle: warming up with 100 connections`);
  const warm = await mapLimit(users.slice(0, 100), 50, (u) => openSocket(host.wsUrl, u.token));
  await closeAll(warm);
  await sleep(IDLE_SETTLE_MS);
  const before = rssKb(pid);
  log(`idle: host RSS before ${(before / 1024).toFixed(1)} MiB; opening ${IDLE_CONNECTIONS} connections`);

  const socks: BenchSocket[] = [];
  let failures = 0;
  let firstError = '';
  const t0 = performance.now();
  const deadline = t0 + 60_000;
  const indexes = Array.from({ length: IDLE_CONNECTIONS }, (_, i) => i);
  try {
    await mapLimit(indexes, IDLE_OPEN_CONCURRENCY, async (i) => {
      if (performance.now() > deadline) {
        failures++;
        return;
      }
      try {
        socks.push(await openSocket(host.wsUrl, users[i % users.length]!.token));
      } catch (err) {
        failures++;
        firstError ||= (err as Error).message;
      }
      if ((i + 1) % 2_000 === 0) log(`idle: ${socks.length} open (${failures} failed)`);
    });
    const openMs = performance.now() - t0;
    log(
      `idle: ${socks.length} connections ready in ${(openMs / 1000).toFixed(1)} s (${Math.round(socks.length / (openMs / 1000))}/s), ${failures} failed${firstError ? `: ${firstError}` : ''}`,
    );
    if (socks.length === 0) throw new Error('no idle connection could be opened');
    await sleep(IDLE_SETTLE_MS);
    assertHostAlive(host);
    const stillOpen = socks.filter((s) => s.open).length;
    const after = rssKb(pid);
    const kb = (after - before) / stillOpen;
    log(
      `idle: host RSS after ${(after / 1024).toFixed(1)} MiB with ${stillOpen} open → ${kb.toFixed(2)} KiB per connection`,
    );
    if (failures > 0)
      throw new Error(
        `${failures} of ${IDLE_CONNECTIONS} idle connections failed (${firstError}); figure above is per opened connection`,
      );
    return kb;
  } finally {
    const c0 = performance.now();
    await closeAll(socks);
    log(`idle: closed ${socks.length} connections in ${((performance.now() - c0) / 1000).toFixed(1)} s`);
  }
}
