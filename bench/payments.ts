/**
 * Payments benchmark: `npm run bench -- payments`.
 *
 * A host in a child process (exactly like `npm start`) with the payments plugin, on a fresh
 * database (SQLite, or PostgreSQL when DATABASE_URL is set). 200 people set a PIN and top up
 * from the simulated card provider; then, for 10 s after a 2 s warm-up, 96 clients send
 * confirmed person-to-person transfers (PIN, idempotency key, limits, one ledger transaction
 * each) between random pairs over HTTP (POST /plugins/payments/transfers), as fast as they are
 * answered (over kept-alive node:http sockets; see support/lean-http.ts). BENCH_VIA=ws sends them
 * instead as /pay commands over WebSocket, in 96 groups of two
 * people and the payments bot, each payment also posted as a message; BENCH_CLIENTS and
 * BENCH_POOL_SIZE change the clients (96) and PostgreSQL connections (20); BENCH_HOSTS=2 (PostgreSQL)
 * runs two hosts on the one database with the clients spread over them.
 * The last line of stdout is
 *   {"bench":"payments","db":…,"transfers_per_s":…,"p99_ms":…,"invariants_ok":…}
 * transfers_per_s counts completed transfers (201); p99_ms is their request→answer latency.
 * invariants_ok: after the run, verify passes over the whole ledger (hash chains, cached
 * balances, zero-sum transactions, no negative balance), each currency's accounts sum to 0, and
 * the people's total equals what they topped up.
 * Goal: at least 2,000 transfers/s on PostgreSQL with every invariant holding.
 */
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { startBenchHost } from './support/bench-host.js';
import { openSocket } from './support/bench-socket.js';
import { leanHttp } from './support/lean-http.js';
import { cpuMeter } from './support/cpu-meter.js';
import { summarizeProfile } from './support/cpu-profile.js';
import { log, mapLimit, percentile, round } from './support/util.js';

const MANIFEST = fileURLToPath(new URL('../manifests/payments.json', import.meta.url));
const PEOPLE = 200;
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 96);
const WARMUP_MS = 2_000;
const MEASURE_MS = 10_000;
const TOP_UP = 1_000_000;
const PIN = '2468';
const HOSTS = Number(process.env.BENCH_HOSTS ?? 1);
/** http (default): POST /transfers; ws: /pay commands over WebSocket in a group with the payee and the bot, each posting its payment message. */
const VIA = process.env.BENCH_VIA === 'ws' ? 'ws' : 'http';

export default async function main(): Promise<void> {
  const cpuProfDir = process.env.BENCH_HOST_CPU_PROF;
  const config = {
    database: { poolSize: Number(process.env.BENCH_POOL_SIZE ?? 20) },
    plugins: {
      enabled: [{ path: MANIFEST, settings: { limits: { perTransferMinor: 10_000, dailyMinor: 1_000_000_000 } } }],
    },
  };
  const host = await startBenchHost({ ...(cpuProfDir ? { cpuProfDir } : {}), config });
  // BENCH_HOSTS=2 (PostgreSQL only): more hosts on the same database, clients spread over them.
  const extra = await Promise.all(
    Array.from({ length: Math.max(0, HOSTS - 1) }, () =>
      startBenchHost({ config, share: { database: host.database, adminToken: host.adminToken } }),
    ),
  );
  const hosts = [host, ...extra];
  try {
    log(`payments bench on ${host.db}: ${PEOPLE} people, ${CLIENTS} clients over ${VIA}, ${hosts.length} host(s)`);
    // People: payments refuses money sent to bots.
    const people = await host.createUsers(PEOPLE, 'payer', 'person');
    await mapLimit(people, 16, async (p) => {
      const pin = await host.http('POST', '/plugins/payments/pin', p.token, { pin: PIN });
      if (pin.status !== 204) throw new Error(`PIN: ${pin.status} ${JSON.stringify(pin.body)}`);
      const top = await host.http('POST', '/plugins/payments/topups', p.token, {
        amountMinor: TOP_UP,
        currency: 'EUR',
        card: 'tok_visa',
        idempotencyKey: randomUUID(),
      });
      if (top.status !== 201) throw new Error(`top-up: ${top.status} ${JSON.stringify(top.body)}`);
    });

    let measuring = false;
    let stop = false;
    let completed = 0;
    let refused = 0;
    const latencies: number[] = [];
    const failures = new Map<string, number>();
    const botId = (await host.http('GET', '/v1/admin/plugins', host.adminToken)).body.plugins[0].botUserId as string;
    /** Over WebSocket: each of CLIENTS groups holds two people and the payments bot; they pay each other in turn with /pay commands. */
    const wsClient = async (n: number) => {
      const [p, q] = [people[2 * n]!, people[2 * n + 1]!];
      const group = await host.http('POST', '/v1/conversations', p.token, {
        title: `pay ${n}`,
        memberIds: [q.id, botId],
      });
      if (group.status !== 201) throw new Error(`group: ${group.status} ${JSON.stringify(group.body)}`);
      const waiting = new Map<
        string,
        (frame: { type: string; data?: { reply?: { text?: string } }; error?: { code: string } }) => void
      >();
      const onFrame = (data: Buffer) => {
        if (data.indexOf('"replyTo"') === -1) return;
        const frame = JSON.parse(data.toString());
        waiting.get(frame.replyTo)?.(frame);
        waiting.delete(frame.replyTo);
      };
      const sockets = await Promise.all([p, q].map((u) => openSocket(host.wsUrl, u.token, onFrame)));
      for (let turn = 0; !stop; turn++) {
        const [payer, payee] = turn % 2 === 0 ? [0, 1] : [1, 0];
        const id = `${n}-${turn}`;
        const cents = 1 + Math.floor(Math.random() * 999);
        const started = performance.now();
        const frame = await new Promise<Parameters<typeof onFrame>[0] extends never ? never : any>((resolve) => {
          waiting.set(id, resolve);
          sockets[payer]!.send(
            JSON.stringify({
              type: 'command',
              id,
              idempotencyKey: id,
              conversationId: group.body.id,
              text: `/pay @${[p, q][payee]!.handle} ${Math.floor(cents / 100)}.${String(cents % 100).padStart(2, '0')} EUR ${PIN}`,
            }),
          );
        });
        const ms = performance.now() - started;
        if (!measuring) continue;
        const text: string = frame.data?.reply?.text ?? '';
        if (frame.type === 'result' && text.startsWith('Sent ')) {
          completed++;
          latencies.push(ms);
        } else {
          refused++;
          const code = frame.error?.code ?? /\[(\w+)\]/.exec(text)?.[1] ?? 'unknown';
          failures.set(code, (failures.get(code) ?? 0) + 1);
        }
      }
      await Promise.all(sockets.map((s) => s.close()));
    };
    const lean = hosts.map((h) => leanHttp(h.url, CLIENTS));
    const client = async (n: number) => {
      const post = lean[n % hosts.length]!;
      while (!stop) {
        const from = people[Math.floor(Math.random() * PEOPLE)]!;
        let to = people[Math.floor(Math.random() * PEOPLE)]!;
        if (to === from) to = people[(people.indexOf(from) + 1) % PEOPLE]!;
        const started = performance.now();
        const res = await post('POST', '/plugins/payments/transfers', from.token, {
          to: to.id,
          amountMinor: 1 + Math.floor(Math.random() * 999),
          currency: 'EUR',
          pin: PIN,
          idempotencyKey: randomUUID(),
        });
        const ms = performance.now() - started;
        if (!measuring) continue;
        if (res.status === 201) {
          completed++;
          latencies.push(ms);
        } else {
          refused++;
          const code = (res.body as { error?: { code?: string } })?.error?.code ?? String(res.status);
          failures.set(code, (failures.get(code) ?? 0) + 1);
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, n) => (VIA === 'ws' ? wsClient(n) : client(n)));
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    measuring = true;
    const started = performance.now();
    const meter = cpuMeter([host.child.pid, ...extra.map((h) => h.child.pid)], 'payments');
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    measuring = false;
    const cpu = meter();
    const elapsed = performance.now() - started;
    stop = true;
    await Promise.all(clients);
    const transfersPerS = (completed / elapsed) * 1000;
    log(
      `${completed} transfers in ${Math.round(elapsed)} ms: ${transfersPerS.toFixed(0)}/s; p50 ${percentile(latencies, 50).toFixed(1)} ms, p99 ${percentile(latencies, 99).toFixed(1)} ms; refused ${refused} ${JSON.stringify(Object.fromEntries(failures))}`,
    );

    log(cpu);
    const verify = await host.http('POST', '/plugins/payments/admin/verify', host.adminToken);
    const totals = (await host.http('GET', '/plugins/payments/admin/reports/balances', host.adminToken)).body
      .currencies as Record<string, { users: number; total: number }>;
    const eur = totals.EUR!;
    const invariantsOk =
      verify.status === 200 &&
      verify.body.ok === true &&
      Object.values(totals).every((t) => t.total === 0) &&
      eur.users === PEOPLE * TOP_UP;
    log(
      `verify: ${verify.body.ok ? 'ok' : JSON.stringify(verify.body.problems?.slice(0, 5))}; ${verify.body.transactions} transactions, ${verify.body.postings} postings; people hold ${eur.users}`,
    );
    process.stdout.write(
      `${JSON.stringify({
        bench: 'payments',
        db: host.db,
        transfers_per_s: round(transfersPerS, 0),
        p99_ms: round(percentile(latencies, 99), 1),
        invariants_ok: invariantsOk,
      })}\n`,
    );
  } finally {
    for (const h of extra) await h.shutdown();
    await host.shutdown();
  }
  if (cpuProfDir) for (const line of summarizeProfile(cpuProfDir, host.child.pid)) log(line);
  process.exit(0);
}
