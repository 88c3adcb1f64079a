/**
 * Phase 6 of `npm run bench -- messaging` (bench/messaging.ts): group fan-out.
 *
 * fanout_deliveries_per_s — one group of 1,000 members, one connection each; 4 members send
 * to it, keeping at most FANOUT_WINDOW messages not yet delivered to the slowest connection
 * (closed-loop, so no client can fall 1 MiB behind and be dropped as a slow consumer).
 * `message.created` frames are counted on all 1,000 connections by a byte search of the raw
 * frame (no JSON.parse per delivery); 2 s warm-up, 8 s measured.
 */
import type { BenchHost, BenchUser } from '../support/bench-host.js';
import { frameType, openSocket, type BenchSocket } from '../support/bench-socket.js';
import { cpuMeter } from '../support/cpu-meter.js';
import { assertHostAlive, closeAll, DRAIN_TIMEOUT_MS, MESSAGE_CREATED } from '../support/phase-util.js';
import { log, mapLimit, sleep, waitUntil } from '../support/util.js';

const FANOUT_SENDERS = 4;
const FANOUT_WINDOW = 64; // messages not yet delivered to the slowest connection
const FANOUT_WARMUP_MS = 2_000;
const FANOUT_MEASURE_MS = 8_000;

async function createGroup(host: BenchHost, owner: BenchUser, members: BenchUser[]): Promise<string> {
  const ids = members.map((m) => m.id);
  const all = await host.http<{ id: string }>('POST', '/v1/conversations', owner.token, {
    title: 'bench fan-out',
    memberIds: ids,
  });
  if (all.status === 201) return all.body.id;
  log(
    `fanout: creating the group with ${ids.length} members at once → ${all.status} ${JSON.stringify(all.body).slice(0, 200)}; adding them in chunks`,
  );
  const created = await host.http<{ id: string }>('POST', '/v1/conversations', owner.token, {
    title: 'bench fan-out',
    memberIds: ids.slice(0, 100),
  });
  if (created.status !== 201)
    throw new Error(`POST /v1/conversations → ${created.status} ${JSON.stringify(created.body)}`);
  for (let i = 100; i < ids.length; i += 100) {
    const res = await host.http('POST', `/v1/conversations/${created.body.id}/members`, owner.token, {
      userIds: ids.slice(i, i + 100),
    });
    if (res.status !== 200)
      throw new Error(`POST /v1/conversations/:id/members → ${res.status} ${JSON.stringify(res.body)}`);
  }
  return created.body.id;
}

/**
 * `wsUrlOf`, if given, says where member i connects and `hosts` which host processes to watch
 * (several hosts: see bench/cluster.ts); by default everyone connects to `host`, which also
 * creates the group.
 */
export async function fanoutPhase(
  host: BenchHost,
  users: BenchUser[],
  wsUrlOf: (member: number) => string = () => host.wsUrl,
  hosts: readonly BenchHost[] = [host],
): Promise<number> {
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
      if (c < m) {
        m = c;
        k = 1;
      } else if (c === m) k++;
    }
    minCount = m === Infinity ? sent : m;
    atMin = k;
  };
  const pump = () => {
    while (sending && sent - minCount < FANOUT_WINDOW) {
      const s = socks[senders[sent % senders.length]!]!;
      const key = `f${sent++}`;
      s.send(
        `{"type":"send","id":"${key}","conversationId":"${conversationId}","clientMsgId":"${key}",` +
          `"content":{"type":"text","text":"fan-out message ${key}: the quick brown fox jumps over the lazy dog"}}`,
      );
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
      socks[i] = await openSocket(wsUrlOf(i), u.token, handler(i));
      socks[i].onClose = (code, reason) => {
        closed[i] = 1;
        if (sending || code !== 1000) log(`fanout: connection ${i} closed (${code} ${reason})`);
        recomputeMin();
        pump();
      };
    });
    recomputeMin();
    log(
      `fanout: ${n} connections ready; ${FANOUT_SENDERS} senders, window ${FANOUT_WINDOW} messages; ` +
        `${FANOUT_WARMUP_MS / 1000} s warm-up + ${FANOUT_MEASURE_MS / 1000} s measured`,
    );

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
        if (!mark0 && performance.now() >= t0) {
          mark0 = { t: performance.now(), total };
          meter = cpuMeter(
            hosts.map((h) => h.child.pid),
            'fanout',
          );
        }
        for (const h of hosts) assertHostAlive(h);
        if (firstError) throw new Error(`fan-out send refused: ${firstError}`);
      }
      mark1 = { t: performance.now(), total };
      if (meter) log(`fanout: during the measured window: ${meter()}`);
    } finally {
      sending = false;
      clearInterval(ticker);
    }
    const rate = ((mark1.total - mark0!.total) / (mark1.t - mark0!.t)) * 1000;
    const drained = await waitUntil(() => minCount >= sent && acked >= sent, DRAIN_TIMEOUT_MS, 10);
    log(
      `fanout: ${sent} messages sent, ${acked} acked, ${total} deliveries${drained ? '' : ` (NOT drained: slowest connection at ${minCount})`} → ${rate.toFixed(0)} deliveries/s`,
    );
    if (!drained) {
      const behind = new Map<string, number>();
      counts.forEach((c, i) => {
        if (c < sent && !closed[i]) behind.set(wsUrlOf(i), (behind.get(wsUrlOf(i)) ?? 0) + 1);
      });
      log(`fanout: connections behind, by where they connect: ${JSON.stringify(Object.fromEntries(behind))}`);
    }
    const lost = closed.reduce((a, b) => a + b, 0);
    if (lost > 0) throw new Error(`${lost} fan-out connections closed during the phase`);
    return rate;
  } finally {
    await closeAll(socks.filter(Boolean));
  }
}
