/**
 * Messaging benchmark: `npm run bench -- messaging`.
 *
 * Runs a real host as a child process (test/support/child-host.ts, exactly like `npm start`) on
 * a fresh database — a new PostgreSQL schema when DATABASE_URL is set, else a new SQLite file —
 * and loads it with WebSocket clients from this process (127.0.0.1 only). Progress goes to
 * stderr; the last line of stdout is one JSON object:
 *
 *   {"bench":"messaging","db":"sqlite|postgres","msgs_per_s":…,"p50_ms":…,"p99_ms":…,
 *    "fanout_deliveries_per_s":…,"idle_conn_kb":…,"resume_1000_ms":…}
 *
 * Phases (in this order; each closes its sockets before the next starts):
 *
 * 1. idle_conn_kb — 10,000 idle connections (1,000 users × 10 connections, Authorization
 *    header, each waits for `ready`). The host child's VmRSS (/proc/PID/status) is read after a
 *    warm-up of 100 connections and a 2 s settle, then again 2 s after the 10,000 are open;
 *    idle_conn_kb = (after − before) / 10,000. It runs first, while the host heap holds little
 *    garbage from earlier load that a GC could release during the measurement.
 * 2. msgs_per_s — 100 user pairs, one direct conversation each. Every sender keeps
 *    THROUGHPUT_WINDOW sends in flight (a new send as soon as one message is both acked to the
 *    sender and delivered as `message.created` to the other member). After a 2 s warm-up,
 *    messages whose ack AND delivery both happened inside the 10 s measured window are counted;
 *    msgs_per_s = count / 10.
 * 3. p50_ms / p99_ms — send→ack latency (the `result` whose replyTo is the send's id), measured
 *    at a FIXED OFFERED RATE of 2,000 msg/s in total over the same 100 pairs (1 s warm-up, 5 s
 *    measured), so the figure describes latency under a realistic load rather than the queueing
 *    delay of the saturated phase 2 (those percentiles are printed to stderr for reference).
 *    It runs after phase 2, so each conversation already holds ~1,000 messages of history.
 * 4. resume_1000_ms — a user notes its conversation's pts (lastPts over HTTP while it is
 *    offline); the other member sends 1,000 messages (all acked); the user reconnects: the timer
 *    starts before the socket is opened, `resume` is sent right after `ready`, and the timer
 *    stops when the resume `result` has arrived and all 1,000 `message.created` frames too.
 *    Repeated 3 times; the median is reported.
 * 5. fanout_deliveries_per_s — one group of 1,000 members, one connection each; 4 members send
 *    to it, keeping at most FANOUT_WINDOW messages not yet delivered to the slowest connection
 *    (closed-loop, so no client can fall 1 MiB behind and be dropped as a slow consumer).
 *    `message.created` frames are counted on all 1,000 connections by a byte search of the raw
 *    frame (no JSON.parse per delivery); 2 s warm-up, 8 s measured.
 *
 * Host config: defaults except server.port 0, auth.adminToken (ours), the database above,
 * websocket.framesPerSecond = websocket.burst = 100,000 (the schema maximum) so the
 * per-connection rate limit (100/s, burst 200 by default) never refuses a benchmark frame (a
 * pipelining sender here sends several hundred frames per second), and log.level "info" rather
 * than "warn": spawnHost waits for the "listening" line, which the host logs at info; at that
 * level the host logs nothing per request or per frame.
 *
 * The CPU use of the host, of this process, of PostgreSQL and of everything else is printed for
 * each measured window: on a 2-core machine other load skews every figure.
 *
 * Options (environment):
 *   BENCH_PHASES=idle,throughput,latency,resume,fanout   run only these phases
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
import { killOwnHostChildren, startBenchHost, type BenchHost, type BenchUser } from './support/bench-host.js';
import { BenchSocket, frameType, openSocket, stringField } from './support/bench-socket.js';
import { profileClockUs, summarizeProfile, summarizeSql } from './support/cpu-profile.js';
import { cpuMs, cpuMsByName, log, mapLimit, median, percentile, round, rssKb, sleep, systemBusyMs, waitUntil } from './support/util.js';

// ---- parameters --------------------------------------------------------------------------------

const MEMBERS = 1_000; // users shared by the idle, pair and fan-out phases

const IDLE_CONNECTIONS = 10_000; // MEMBERS × 10
const IDLE_OPEN_CONCURRENCY = 200;
const IDLE_SETTLE_MS = 2_000;

const PAIRS = 100;
const THROUGHPUT_WINDOW = 16; // sends in flight per sender
const THROUGHPUT_WARMUP_MS = 2_000;
const THROUGHPUT_MEASURE_MS = 10_000;

const LATENCY_RATE = 2_000; // msg/s offered in total
const LATENCY_WARMUP_MS = 1_000;
const LATENCY_MEASURE_MS = 5_000;
const LATENCY_MAX_IN_FLIGHT = 64; // per sender; beyond it an offered send is skipped (and reported)

const RESUME_MESSAGES = 1_000;
const RESUME_RUNS = 3;
const RESUME_SEND_WINDOW = 64;

const FANOUT_SENDERS = 4;
const FANOUT_WINDOW = 64; // messages not yet delivered to the slowest connection
const FANOUT_WARMUP_MS = 2_000;
const FANOUT_MEASURE_MS = 8_000;

const DRAIN_TIMEOUT_MS = 15_000;
const WATCHDOG_MS = 175_000;

const ALL_PHASES = ['idle', 'throughput', 'latency', 'resume', 'fanout'] as const;
type Phase = (typeof ALL_PHASES)[number];

const MESSAGE_CREATED = Buffer.from('"message.created"');

// ---- results -----------------------------------------------------------------------------------

interface Results {
  msgs_per_s: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  fanout_deliveries_per_s: number | null;
  idle_conn_kb: number | null;
  resume_1000_ms: number | null;
}

/** Measured windows of the phases, on the CPU profile's clock. */
const profileWindows: [string, { from: number; to: number }][] = [];

/**
 * CPU use between two points, as a share of one core (diagnostics only): the host child, this
 * process, and everything else on the machine (other load skews the figures on 2 cores).
 */
function cpuMeter(pid: number, phase: string) {
  const from = profileClockUs();
  const h0 = cpuMs(pid);
  const b0 = process.cpuUsage();
  const s0 = systemBusyMs();
  const p0 = cpuMsByName('postgres');
  const t0 = performance.now();
  return () => {
    profileWindows.push([phase, { from, to: profileClockUs() }]);
    const wall = performance.now() - t0;
    const b = process.cpuUsage(b0);
    const host = ((cpuMs(pid) - h0) / wall) * 100;
    const bench = ((b.user + b.system) / 1000 / wall) * 100;
    const pg = ((cpuMsByName('postgres') - p0) / wall) * 100;
    const other = Math.max(0, ((systemBusyMs() - s0) / wall) * 100 - host - bench - pg);
    return `CPU (100% = one core): host ${host.toFixed(0)}%, bench ${bench.toFixed(0)}%${pg > 1 ? `, postgres ${pg.toFixed(0)}%` : ''}, other processes ${other.toFixed(0)}%` +
      (other > 20 ? ' (WARNING: the machine is busy with other work; figures are skewed)' : '');
  };
}

function assertHostAlive(host: BenchHost): void {
  const p = host.child.process;
  if (p.exitCode !== null || p.signalCode !== null) {
    throw new Error(`host exited (code ${p.exitCode}, signal ${p.signalCode}); output tail:\n${host.child.output().slice(-3000)}`);
  }
}

async function closeAll(socks: BenchSocket[]): Promise<void> {
  await mapLimit(socks, 500, (s) => s.close());
}

// ---- phase 1: idle connections -----------------------------------------------------------------

async function idlePhase(host: BenchHost, users: BenchUser[]): Promise<number> {
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
      if (performance.now() > deadline) { failures++; return; }
      try {
        socks.push(await openSocket(host.wsUrl, users[i % users.length]!.token));
      } catch (err) {
        failures++;
        firstError ||= (err as Error).message;
      }
      if ((i + 1) % 2_000 === 0) log(`idle: ${socks.length} open (${failures} failed)`);
    });
    const openMs = performance.now() - t0;
    log(`idle: ${socks.length} connections ready in ${(openMs / 1000).toFixed(1)} s (${Math.round(socks.length / (openMs / 1000))}/s), ${failures} failed${firstError ? `: ${firstError}` : ''}`);
    if (socks.length === 0) throw new Error('no idle connection could be opened');
    await sleep(IDLE_SETTLE_MS);
    assertHostAlive(host);
    const stillOpen = socks.filter((s) => s.open).length;
    const after = rssKb(pid);
    const kb = (after - before) / stillOpen;
    log(`idle: host RSS after ${(after / 1024).toFixed(1)} MiB with ${stillOpen} open → ${kb.toFixed(2)} KiB per connection`);
    if (failures > 0) throw new Error(`${failures} of ${IDLE_CONNECTIONS} idle connections failed (${firstError}); figure above is per opened connection`);
    return kb;
  } finally {
    const c0 = performance.now();
    await closeAll(socks);
    log(`idle: closed ${socks.length} connections in ${((performance.now() - c0) / 1000).toFixed(1)} s`);
  }
}

// ---- phases 2 and 3: direct-conversation pairs ------------------------------------------------

interface Pending { sent: number; ack: number; deliv: number }

/**
 * One sender and one receiver in a direct conversation. Sends carry the same string as frame
 * `id` and `clientMsgId`, so the ack (replyTo) and the delivery (message.clientMsgId) are found
 * with a cheap substring search.
 */
class PairDriver {
  readonly pending = new Map<string, Pending>();
  prefix = 'x';
  private n = 0;
  errors = 0;
  unexpected = 0;
  onDone: (p: Pending) => void = () => {};
  onFailed: () => void = () => {};

  constructor(
    readonly index: number,
    readonly sender: BenchSocket,
    readonly receiver: BenchSocket,
    readonly conversationId: string,
  ) {
    sender.onFrame = (d) => this.senderFrame(d);
    receiver.onFrame = (d) => this.receiverFrame(d);
  }

  sendOne(): void {
    const key = `${this.prefix}${this.index}-${this.n++}`;
    this.pending.set(key, { sent: performance.now(), ack: 0, deliv: 0 });
    this.sender.send(
      `{"type":"send","id":"${key}","conversationId":"${this.conversationId}","clientMsgId":"${key}",` +
        `"content":{"type":"text","text":"benchmark message ${key}: the quick brown fox jumps over the lazy dog"}}`,
    );
  }

  private senderFrame(d: Buffer): void {
    if (d.indexOf(MESSAGE_CREATED) !== -1) return; // the echo of our own message
    const s = d.toString();
    const type = frameType(s);
    if (type === 'result') {
      const key = stringField(s, 'replyTo') ?? (JSON.parse(s) as { replyTo: string }).replyTo;
      const p = this.pending.get(key);
      if (!p || p.ack) { this.unexpected++; return; }
      p.ack = performance.now();
      if (p.deliv) this.complete(key, p);
    } else if (type === 'error') {
      const f = JSON.parse(s) as { replyTo: string | null; error: { code: string; message: string } };
      if (this.errors++ < 3) log(`pair ${this.index}: error ${f.error.code}: ${f.error.message}`);
      if (f.replyTo && this.pending.delete(f.replyTo)) this.onFailed();
    }
  }

  private receiverFrame(d: Buffer): void {
    if (d.indexOf(MESSAGE_CREATED) === -1) return;
    const s = d.toString();
    const key = stringField(s, 'clientMsgId') ?? (JSON.parse(s) as { message: { clientMsgId: string } }).message.clientMsgId;
    const p = this.pending.get(key);
    if (!p || p.deliv) { this.unexpected++; return; }
    p.deliv = performance.now();
    if (p.ack) this.complete(key, p);
  }

  private complete(key: string, p: Pending): void {
    this.pending.delete(key);
    this.onDone(p);
  }
}

async function setupPairs(host: BenchHost, users: BenchUser[]): Promise<{ drivers: PairDriver[]; socks: BenchSocket[] }> {
  log(`pairs: creating ${PAIRS} direct conversations and ${PAIRS * 2} connections`);
  const pairs = Array.from({ length: PAIRS }, (_, i) => ({ a: users[2 * i]!, b: users[2 * i + 1]! }));
  const convIds = await mapLimit(pairs, 16, async ({ a, b }) => {
    const res = await host.http<{ id: string }>('POST', '/v1/conversations/direct', a.token, { userId: b.id });
    if (res.status !== 200) throw new Error(`POST /v1/conversations/direct → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  });
  const socks: BenchSocket[] = [];
  const drivers = await mapLimit(pairs, 20, async ({ a, b }, i) => {
    const sender = await openSocket(host.wsUrl, a.token);
    socks.push(sender);
    const receiver = await openSocket(host.wsUrl, b.token);
    socks.push(receiver);
    return new PairDriver(i, sender, receiver, convIds[i]!);
  });
  for (const s of socks) {
    s.onClose = (code, reason) => { if (code !== 1000 && code !== 1005) log(`pairs: a socket closed unexpectedly (${code} ${reason})`); };
  }
  return { drivers, socks };
}

async function drain(drivers: PairDriver[], what: string): Promise<void> {
  const ok = await waitUntil(() => drivers.every((d) => d.pending.size === 0), DRAIN_TIMEOUT_MS, 10);
  if (!ok) {
    const left = drivers.reduce((n, d) => n + d.pending.size, 0);
    log(`${what}: ${left} messages still not acked+delivered after ${DRAIN_TIMEOUT_MS} ms`);
  }
}

async function throughputPhase(host: BenchHost, drivers: PairDriver[]): Promise<{ msgsPerS: number; p50: number; p99: number }> {
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
    d.onFailed = () => { failed++; refill(d); };
  }
  log(`throughput: ${PAIRS} senders × window ${THROUGHPUT_WINDOW}; ${THROUGHPUT_WARMUP_MS / 1000} s warm-up + ${THROUGHPUT_MEASURE_MS / 1000} s measured`);
  for (const d of drivers) refill(d);
  let meter: (() => string) | null = null;
  let last = 0;
  const ticker = setInterval(() => {
    if (!meter && performance.now() >= t0) meter = cpuMeter(host.child.pid, 'throughput');
    log(`throughput: ${completed - last} msg/s completed${failed ? `, ${failed} failed so far` : ''}`);
    last = completed;
  }, 1_000);
  try {
    while (performance.now() < t1) {
      await sleep(Math.min(100, t1 - performance.now()));
      assertHostAlive(host);
    }
    if (meter) log(`throughput: during the measured window: ${(meter as () => string)()}`);
  } finally {
    sending = false;
    clearInterval(ticker);
  }
  await drain(drivers, 'throughput');
  const msgsPerS = counted / (THROUGHPUT_MEASURE_MS / 1000);
  const p50 = percentile(ackLatency, 50);
  const p99 = percentile(ackLatency, 99);
  log(`throughput: ${counted} messages acked+delivered in the window → ${msgsPerS.toFixed(0)} msg/s; ` +
    `send→ack at saturation p50 ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms (not reported; see the latency phase)`);
  if (failed > 0) throw new Error(`${failed} sends were refused during the throughput phase`);
  return { msgsPerS, p50, p99 };
}

async function latencyPhase(host: BenchHost, drivers: PairDriver[]): Promise<{ p50: number; p99: number }> {
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
    d.onFailed = () => { failed++; };
  }
  log(`latency: fixed offered rate ${LATENCY_RATE} msg/s over ${PAIRS} senders; ${LATENCY_WARMUP_MS / 1000} s warm-up + ${LATENCY_MEASURE_MS / 1000} s measured`);
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
      if (d.pending.size >= LATENCY_MAX_IN_FLIGHT) { skipped++; continue; }
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
  log(`latency: ${ackLatency.length} samples; send→ack p50 ${p50.toFixed(2)} ms, p90 ${percentile(ackLatency, 90).toFixed(2)} ms, ` +
    `p99 ${p99.toFixed(2)} ms, max ${percentile(ackLatency, 100).toFixed(1)} ms; send→delivery p50 ${percentile(deliveryLatency, 50).toFixed(2)} ms, ` +
    `p99 ${percentile(deliveryLatency, 99).toFixed(2)} ms`);
  if (skipped > 0) log(`latency: WARNING ${skipped} offered sends skipped: a sender had ${LATENCY_MAX_IN_FLIGHT} in flight (host below ${LATENCY_RATE} msg/s)`);
  if (failed > 0) throw new Error(`${failed} sends were refused during the latency phase`);
  return { p50, p99 };
}

// ---- phase 4: resume ---------------------------------------------------------------------------

/** Sends `count` messages on `sock` with a window of in-flight sends; resolves when all are acked. */
async function sendAndAck(sock: BenchSocket, conversationId: string, count: number, prefix: string): Promise<void> {
  let sent = 0;
  let acked = 0;
  let error = '';
  const sendNext = () => {
    while (!error && sent < count && sent - acked < RESUME_SEND_WINDOW) {
      const key = `${prefix}${sent++}`;
      sock.send(`{"type":"send","id":"${key}","conversationId":"${conversationId}","clientMsgId":"${key}",` +
        `"content":{"type":"text","text":"catch-up message ${key}: the quick brown fox jumps over the lazy dog"}}`);
    }
  };
  sock.onFrame = (d) => {
    if (d.indexOf(MESSAGE_CREATED) !== -1) return;
    const s = d.toString();
    const type = frameType(s);
    if (type === 'result') { acked++; sendNext(); }
    else if (type === 'error') error ||= s;
  };
  sendNext();
  const ok = await waitUntil(() => acked >= count || error !== '', 30_000, 5);
  if (error) throw new Error(`send refused: ${error}`);
  if (!ok) throw new Error(`only ${acked} of ${count} sends acked in 30 s`);
}

async function resumePhase(host: BenchHost, reader: BenchUser, writer: BenchUser): Promise<number> {
  const direct = await host.http<{ id: string }>('POST', '/v1/conversations/direct', writer.token, { userId: reader.id });
  if (direct.status !== 200) throw new Error(`POST /v1/conversations/direct → ${direct.status} ${JSON.stringify(direct.body)}`);
  const conversationId = direct.body.id;
  const writerSock = await openSocket(host.wsUrl, writer.token);
  const times: number[] = [];
  try {
    for (let run = 0; run < RESUME_RUNS; run++) {
      // The reader is offline: the pts it noted is the conversation's lastPts now.
      const conv = await host.http<{ lastPts: number }>('GET', `/v1/conversations/${conversationId}`, reader.token);
      if (conv.status !== 200) throw new Error(`GET /v1/conversations/:id → ${conv.status} ${JSON.stringify(conv.body)}`);
      const pts = conv.body.lastPts;
      await sendAndAck(writerSock, conversationId, RESUME_MESSAGES, `r${run}-`);

      let created = 0;
      let lastPts = pts;
      let outOfOrder = 0;
      let allAt = 0;
      let result: { status: string; pts?: number } | null = null;
      let resultAt = 0;
      let errorFrame = '';
      const resumeId = `resume-${run}`;
      const t0 = performance.now();
      const sock = await openSocket(host.wsUrl, reader.token, (d) => {
        const s = d.toString();
        const type = frameType(s);
        if (type === 'message.created') {
          const p = JSON.parse(s) as { pts: number };
          if (p.pts <= lastPts) outOfOrder++;
          lastPts = p.pts;
          if (++created === RESUME_MESSAGES) allAt = performance.now();
        } else if (type === 'result' && stringField(s, 'replyTo') === resumeId) {
          resultAt = performance.now();
          const data = (JSON.parse(s) as { data: { conversations: { status: string; pts?: number }[] } }).data;
          result = data.conversations[0] ?? { status: '<missing>' };
        } else if (type === 'error') {
          errorFrame ||= s;
        }
      });
      sock.send(JSON.stringify({ type: 'resume', id: resumeId, conversations: [{ conversationId, pts }] }));
      const ok = await waitUntil(() => (resultAt > 0 && created >= RESUME_MESSAGES) || errorFrame !== '', 20_000, 1);
      const elapsed = Math.max(resultAt, allAt) - t0;
      await sock.close();
      if (errorFrame) throw new Error(`resume refused: ${errorFrame}`);
      if (!ok) throw new Error(`resume incomplete after 20 s: result ${resultAt > 0 ? 'received' : 'missing'}, ${created} of ${RESUME_MESSAGES} messages`);
      const r = result as { status: string; pts?: number } | null;
      log(`resume: run ${run + 1}: ${created} message.created + result (${r?.status}, pts ${pts} → ${r?.pts}) in ${elapsed.toFixed(1)} ms` +
        `${outOfOrder ? `, ${outOfOrder} frames out of pts order!` : ''}${created !== RESUME_MESSAGES ? ' (count mismatch!)' : ''}` +
        `${allAt > resultAt ? ' (result arrived before the last message!)' : ''}`);
      times.push(elapsed);
    }
  } finally {
    await writerSock.close();
  }
  return median(times);
}

// ---- phase 5: group fan-out --------------------------------------------------------------------

async function createGroup(host: BenchHost, owner: BenchUser, members: BenchUser[]): Promise<string> {
  const ids = members.map((m) => m.id);
  const all = await host.http<{ id: string }>('POST', '/v1/conversations', owner.token, { title: 'bench fan-out', memberIds: ids });
  if (all.status === 201) return all.body.id;
  log(`fanout: creating the group with ${ids.length} members at once → ${all.status} ${JSON.stringify(all.body).slice(0, 200)}; adding them in chunks`);
  const created = await host.http<{ id: string }>('POST', '/v1/conversations', owner.token, { title: 'bench fan-out', memberIds: ids.slice(0, 100) });
  if (created.status !== 201) throw new Error(`POST /v1/conversations → ${created.status} ${JSON.stringify(created.body)}`);
  for (let i = 100; i < ids.length; i += 100) {
    const res = await host.http('POST', `/v1/conversations/${created.body.id}/members`, owner.token, { userIds: ids.slice(i, i + 100) });
    if (res.status !== 200) throw new Error(`POST /v1/conversations/:id/members → ${res.status} ${JSON.stringify(res.body)}`);
  }
  return created.body.id;
}

async function fanoutPhase(host: BenchHost, users: BenchUser[]): Promise<number> {
  const owner = users[0]!;
  const conversationId = await createGroup(host, owner, users.slice(1));
  const n = users.length;
  log(`fanout: group of ${n} members created; opening ${n} connections`);

  const counts = new Float64Array(n); // message.created frames per connection
  const closed = new Uint8Array(n);
  let total = 0;
  let minCount = 0; // messages delivered to every open connection
  let atMin = n;
  let sent = 0;
  let acked = 0;
  let sending = false;
  let firstError = '';
  const socks: BenchSocket[] = new Array(n);
  const senders: number[] = Array.from({ length: FANOUT_SENDERS }, (_, i) => i);

  const recomputeMin = () => {
    let m = Infinity;
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (closed[i]) continue;
      const c = counts[i]!;
      if (c < m) { m = c; k = 1; } else if (c === m) k++;
    }
    minCount = m === Infinity ? sent : m;
    atMin = k;
  };
  const pump = () => {
    while (sending && sent - minCount < FANOUT_WINDOW) {
      const s = socks[senders[sent % senders.length]!]!;
      const key = `f${sent++}`;
      s.send(`{"type":"send","id":"${key}","conversationId":"${conversationId}","clientMsgId":"${key}",` +
        `"content":{"type":"text","text":"fan-out message ${key}: the quick brown fox jumps over the lazy dog"}}`);
    }
  };
  const handler = (i: number) => (d: Buffer) => {
    if (d.indexOf(MESSAGE_CREATED) !== -1) {
      total++;
      const c = counts[i]!;
      counts[i] = c + 1;
      if (c === minCount && --atMin === 0) {
        recomputeMin();
        pump();
      }
      return;
    }
    const s = d.toString();
    const type = frameType(s);
    if (type === 'result') acked++;
    else if (type === 'error') firstError ||= s;
  };

  try {
    await mapLimit(users, 100, async (u, i) => {
      socks[i] = await openSocket(host.wsUrl, u.token, handler(i));
      socks[i]!.onClose = (code, reason) => {
        closed[i] = 1;
        if (sending || code !== 1000) log(`fanout: connection ${i} closed (${code} ${reason})`);
        recomputeMin();
        pump();
      };
    });
    recomputeMin();
    log(`fanout: ${n} connections ready; ${FANOUT_SENDERS} senders, window ${FANOUT_WINDOW} messages; ` +
      `${FANOUT_WARMUP_MS / 1000} s warm-up + ${FANOUT_MEASURE_MS / 1000} s measured`);

    const start = performance.now();
    const t0 = start + FANOUT_WARMUP_MS;
    const t1 = t0 + FANOUT_MEASURE_MS;
    sending = true;
    pump();
    let mark0: { t: number; total: number } | null = null;
    let mark1: { t: number; total: number } | null = null;
    let meter: (() => string) | null = null;
    let last = 0;
    const ticker = setInterval(() => {
      log(`fanout: ${total - last} deliveries/s (${sent} sent, ${acked} acked, slowest connection at ${minCount})`);
      last = total;
    }, 1_000);
    try {
      while (performance.now() < t1) {
        await sleep(Math.min(20, t1 - performance.now()));
        if (!mark0 && performance.now() >= t0) { mark0 = { t: performance.now(), total }; meter = cpuMeter(host.child.pid, 'fanout'); }
        assertHostAlive(host);
        if (firstError) throw new Error(`fan-out send refused: ${firstError}`);
      }
      mark1 = { t: performance.now(), total };
      if (meter) log(`fanout: during the measured window: ${(meter as () => string)()}`);
    } finally {
      sending = false;
      clearInterval(ticker);
    }
    const rate = ((mark1.total - mark0!.total) / (mark1.t - mark0!.t)) * 1000;
    const drained = await waitUntil(() => minCount >= sent && acked >= sent, DRAIN_TIMEOUT_MS, 10);
    log(`fanout: ${sent} messages sent, ${acked} acked, ${total} deliveries${drained ? '' : ` (NOT drained: slowest connection at ${minCount})`} → ${rate.toFixed(0)} deliveries/s`);
    const lost = closed.reduce((a, b) => a + b, 0);
    if (lost > 0) throw new Error(`${lost} fan-out connections closed during the phase`);
    return rate;
  } finally {
    await closeAll(socks.filter(Boolean));
  }
}

// ---- main --------------------------------------------------------------------------------------

function selectedPhases(): Set<Phase> {
  const raw = process.env.BENCH_PHASES;
  if (!raw) return new Set(ALL_PHASES);
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const name of names) {
    if (!(ALL_PHASES as readonly string[]).includes(name)) throw new Error(`BENCH_PHASES: unknown phase "${name}" (known: ${ALL_PHASES.join(', ')})`);
  }
  return new Set(names as Phase[]);
}

export default async function messaging(): Promise<void> {
  const phases = selectedPhases();
  const results: Results = { msgs_per_s: null, p50_ms: null, p99_ms: null, fanout_deliveries_per_s: null, idle_conn_kb: null, resume_1000_ms: null };
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
    process.once(sig, () => { log(`${sig}: stopping`); void stop(130); });
  }

  const cpuProfDir = process.env.BENCH_HOST_CPU_PROF ? resolve(process.env.BENCH_HOST_CPU_PROF) : undefined;
  log(`starting host (${process.env.DATABASE_URL ? 'postgres' : 'sqlite'})${cpuProfDir ? `, CPU profile → ${cpuProfDir}` : ''}; ` +
    `load average ${loadavg().map((l) => l.toFixed(2)).join(' ')} on ${availableParallelism()} cores`);
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
    const users = await h.createUsers(MEMBERS, `m${run}_`);
    const resumeUsers = await h.createUsers(2, `r${run}_`);
    log(`created ${users.length + resumeUsers.length} bot users with tokens in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

    if (phases.has('idle')) await phase('idle', async () => { results.idle_conn_kb = await idlePhase(h, users); });

    if (phases.has('throughput') || phases.has('latency')) {
      let pairs: { drivers: PairDriver[]; socks: BenchSocket[] } | null = null;
      await phase('pairs', async () => { pairs = await setupPairs(h, users); });
      const p = pairs as { drivers: PairDriver[]; socks: BenchSocket[] } | null;
      if (p) {
        if (phases.has('throughput')) {
          await phase('throughput', async () => { results.msgs_per_s = (await throughputPhase(h, p.drivers)).msgsPerS; });
        }
        if (phases.has('latency')) {
          await phase('latency', async () => {
            const r = await latencyPhase(h, p.drivers);
            results.p50_ms = r.p50;
            results.p99_ms = r.p99;
          });
        }
        await closeAll(p.socks);
      }
    }

    if (phases.has('resume')) await phase('resume', async () => { results.resume_1000_ms = await resumePhase(h, resumeUsers[0]!, resumeUsers[1]!); });
    if (phases.has('fanout')) await phase('fanout', async () => { results.fanout_deliveries_per_s = await fanoutPhase(h, users); });
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
    fanout_deliveries_per_s: round(results.fanout_deliveries_per_s, 0),
    idle_conn_kb: round(results.idle_conn_kb, 2),
    resume_1000_ms: round(results.resume_1000_ms, 1),
  };
  if (failures.length) log(`${failures.length} phase(s) failed:\n  ${failures.join('\n  ')}`);
  process.stdout.write(`${JSON.stringify(out)}\n`);
  process.exit(failures.length ? 1 : 0);
}
