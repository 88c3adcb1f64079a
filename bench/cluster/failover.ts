/**
 * Failover phase of `npm run bench -- cluster` (bench/cluster.ts).
 *
 * 100 direct-conversation pairs, sender of pair i on host i % 3 and receiver on host (i + 1) % 3,
 * send at a fixed 2,000 msg/s in total for FAILOVER_MESSAGES messages. Once KILL_AFTER_ACKS sends
 * are acked, one host is killed with SIGKILL. Each of its clients (senders and receivers) sees its
 * socket drop, connects to a surviving host other than its peer's, sends `resume` with the last
 * pts it applied, and once answered resends every send not yet acked with the same clientMsgId
 * (sends offered meanwhile wait in that queue).
 *
 * failover_resume_s — from the kill to the last of the killed host's clients having its `resume`
 * answered on another host.
 * failover_lost — acked messages that are not stored in the database, or never reached the
 * receiver, once every send is acked and the load has drained. Must be 0.
 */
import knex from 'knex';
import { postgresConnection } from '../../host/db/postgres-url.js';
import type { TestDatabase } from '../../test/support/test-database.js';
import type { BenchHost, BenchUser } from '../support/bench-host.js';
import { openSocket, type BenchSocket } from '../support/bench-socket.js';
import { assertHostAlive } from '../support/phase-util.js';
import { log, mapLimit, sleep, waitUntil } from '../support/util.js';
import { FailoverPair, type Member } from './failover-pair.js';

const PAIRS = 100;
const RATE = 2_000; // msg/s offered in total
const FAILOVER_MESSAGES = 12_000;
const KILL_AFTER_ACKS = 3_000;
const DRAIN_MS = 30_000;

export interface FailoverResult {
  resumeS: number;
  lost: number;
}

export async function failoverPhase(
  hosts: BenchHost[],
  users: BenchUser[],
  database: TestDatabase,
  victim: number,
): Promise<FailoverResult> {
  const api = hosts[0]!;
  const conversations = await mapLimit(
    Array.from({ length: PAIRS }, (_, i) => i),
    16,
    async (i) => {
      const res = await api.http<{ id: string }>('POST', '/v1/conversations/direct', users[2 * i]!.token, {
        userId: users[2 * i + 1]!.id,
      });
      if (res.status !== 200) throw new Error(`POST /v1/conversations/direct → ${res.status}`);
      return res.body.id;
    },
  );
  const dead = new Set<number>();
  const pairs = conversations.map(
    (c, i) =>
      new FailoverPair(
        i,
        c,
        { token: users[2 * i]!.token, host: i % hosts.length, lastPts: 0, sock: null, resumedAt: 0 },
        { token: users[2 * i + 1]!.token, host: (i + 1) % hosts.length, lastPts: 0, sock: null, resumedAt: 0 },
      ),
  );
  const sockets: BenchSocket[] = [];

  /** Connects `m` to host `h`, resumes it, and (for a sender) resends what is not acked. */
  const attach = async (pair: FailoverPair, m: Member): Promise<void> => {
    const sock = await openSocket(hosts[m.host]!.wsUrl, m.token, (d) => pair.frame(m, d));
    sockets.push(sock);
    m.sock = sock;
    m.resumedAt = 0;
    sock.onClose = () => {
      if (!dead.has(m.host)) {
        if (running) log(`failover: a socket on live host ${m.host} closed (${sock.closeCode})`);
        return;
      }
      m.resumedAt = 0;
      const peer = m === pair.sender ? pair.receiver : pair.sender;
      m.host = hosts.findIndex((_, i) => !dead.has(i) && i !== peer.host);
      if (m.host === -1) m.host = hosts.findIndex((_, i) => !dead.has(i));
      void reattach(pair, m);
    };
    await pair.resume(m);
  };
  const reattach = async (pair: FailoverPair, m: Member) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await attach(pair, m);
        return;
      } catch (err) {
        if (attempt >= 5) {
          attachFailures.push((err as Error).message);
          return;
        }
        await sleep(100 * attempt);
      }
    }
  };
  const attachFailures: string[] = [];
  let running = true;

  try {
    await mapLimit(pairs, 20, async (p) => {
      await attach(p, p.sender);
      await attach(p, p.receiver);
    });
    const victims = pairs.flatMap((p) => [p.sender, p.receiver]).filter((m) => m.host === victim);
    log(
      `failover: ${PAIRS} pairs across ${hosts.length} hosts; ${FAILOVER_MESSAGES} messages at ${RATE} msg/s; ` +
        `host ${victim} (pid ${hosts[victim]!.child.pid}, ${victims.length} clients) is killed after ${KILL_AFTER_ACKS} acks`,
    );
    let offered = 0;
    let killedAt = 0;
    const acked = () => pairs.reduce((n, p) => n + p.acked.size, 0);
    const start = performance.now();
    const timer = setInterval(() => {
      const due = Math.min(FAILOVER_MESSAGES, Math.floor(((performance.now() - start) * RATE) / 1000));
      while (offered < due) pairs[offered++ % PAIRS]!.send();
      if (!killedAt && acked() >= KILL_AFTER_ACKS) {
        killedAt = performance.now();
        dead.add(victim);
        hosts[victim]!.child.process.kill('SIGKILL');
        log(`failover: host ${victim} killed with SIGKILL at ${acked()} acks`);
      }
    }, 1);
    try {
      // The kill waits for its acks even if they lag behind the offered load on a busy machine.
      const deadline = performance.now() + DRAIN_MS;
      while ((offered < FAILOVER_MESSAGES || !killedAt) && performance.now() < deadline) {
        await sleep(50);
        hosts.forEach((h, i) => dead.has(i) || assertHostAlive(h));
      }
    } finally {
      clearInterval(timer);
    }
    if (!killedAt) throw new Error(`only ${acked()} acks: the host was never killed`);
    const resumed = await waitUntil(() => victims.every((m) => m.host !== victim && m.resumedAt > 0), DRAIN_MS, 5);
    if (!resumed || attachFailures.length)
      throw new Error(
        `${victims.filter((m) => !m.resumedAt).length} of the killed host's clients never resumed${attachFailures.length ? `: ${attachFailures[0]}` : ''}`,
      );
    const after = victims.map((m) => (m.resumedAt - killedAt) / 1000).sort((x, y) => x - y);
    const resumeS = after[after.length - 1]!;
    log(
      `failover: all ${victims.length} clients of the killed host resumed elsewhere ${resumeS.toFixed(3)} s after the kill ` +
        `(first ${after[0]!.toFixed(3)} s, median ${after[after.length >> 1]!.toFixed(3)} s)`,
    );

    const drained = await waitUntil(() => pairs.every((p) => p.settled()), DRAIN_MS, 10);
    const unacked = pairs.reduce((n, p) => n + p.unacked.size, 0);
    if (!drained) log(`failover: NOT drained after ${DRAIN_MS / 1000} s: ${unacked} sends never acked`);
    running = false;

    const stored = await storedKeys(database, conversations);
    let lost = 0;
    let undelivered = 0;
    let notStored = 0;
    for (const p of pairs) {
      for (const key of p.acked) {
        const inDb = stored.has(`${p.conversationId}/${key}`);
        const seen = p.delivered.has(key);
        if (!inDb) notStored++;
        if (!seen) undelivered++;
        if (!inDb || !seen) lost++;
      }
    }
    const errors = pairs.reduce((n, p) => n + p.errors, 0);
    const duplicates = pairs.reduce((n, p) => n + p.duplicates, 0);
    log(
      `failover: ${acked()} acked of ${FAILOVER_MESSAGES} sent (${unacked} never acked, ${errors} error frames); ` +
        `${notStored} acked but not stored, ${undelivered} acked but never delivered, ${duplicates} delivered twice → lost ${lost}`,
    );
    return { resumeS, lost };
  } finally {
    running = false;
    await mapLimit(sockets, 200, (s) => s.close());
  }
}

async function storedKeys(database: TestDatabase, conversations: string[]): Promise<Set<string>> {
  const db = knex({ client: 'pg', connection: postgresConnection(database.url), pool: { min: 0, max: 1 } });
  try {
    const rows: { conversation_id: string; client_msg_id: string | null }[] = await db
      .withSchema(database.schema)
      .table('messages')
      .whereIn('conversation_id', conversations)
      .select('conversation_id', 'client_msg_id');
    return new Set(rows.map((r) => `${r.conversation_id}/${r.client_msg_id}`));
  } finally {
    await db.destroy();
  }
}
