/**
 * Business chat benchmark: `npm run bench -- business`.
 *
 * A host in a child process (exactly like `npm start`) with the business plugin, on a fresh
 * database (SQLite, or PostgreSQL when DATABASE_URL is set). 20 businesses, each with 3 agents
 * on a "support" team (all online over WebSocket), round-robin routing and a webhook to a real
 * HTTP receiver in this process that checks every signature. 400 customers, spread over the
 * businesses, each with their conversation, send text messages over WebSocket in a closed loop
 * (each waits for its ack and for the message's webhook event before sending the next); meanwhile 20 new customers a second open a conversation and write
 * their first message, which the plugin assigns round-robin. 2 s warm-up, then 10 s measured.
 * The last line of stdout is
 *   {"bench":"business","db":…,"inbound_msgs_per_s":…,"webhook_deliveries_per_s":…,"assign_p99_ms":…, …}
 * - inbound_msgs_per_s: customer messages per second, in the window, that were acknowledged to
 *   their customer and whose `message` webhook event then reached the receiver;
 * - webhook_deliveries_per_s: webhook events received (signature checked, each delivery once)
 *   per second in the window; webhook_posts_per_s: the POSTs that carried them (a delivery holds
 *   up to 100 events of one business);
 * - assign_p99_ms: the plugin's own measure (GET /admin/stats) of automatic assignments whose
 *   customer message reached the plugin in the window (the warm-up's burst of first messages is
 *   left out, however long it takes), from that message to the assignee stored.
 * Goal: at least 2,000 customer messages/s routed with their webhooks delivered, and assignment
 * p99 at most 50 ms.
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startBenchHost } from './support/bench-host.js';
import { openSocket, stringField, type BenchSocket } from './support/bench-socket.js';
import { leanHttp } from './support/lean-http.js';
import { cpuMeter } from './support/cpu-meter.js';
import { summarizeProfile, summarizeSql } from './support/cpu-profile.js';
import { log, mapLimit, round } from './support/util.js';

const MANIFEST = fileURLToPath(new URL('../manifests/business.json', import.meta.url));
const BUSINESSES = 20;
const AGENTS_PER_BUSINESS = 3;
const CUSTOMERS = Number(process.env.BENCH_CUSTOMERS ?? 400);
const NEW_CUSTOMERS_PER_S = 20;
const WARMUP_MS = 2_000;
const MEASURE_MS = 10_000;

interface Receiver {
  url: string;
  secrets: Map<string, string>;
  events: { at: number; type: string }[];
  posts: number[];
  badSignatures: number;
  /** Called with the message id of each `message` event (once per delivery id). */
  onMessage: (messageId: string) => void;
  close(): Promise<void>;
}

/** The businesses' backend: one HTTP server checking signatures and recording what arrives, once per delivery id. */
async function startReceiver(): Promise<Receiver> {
  const seen = new Set<string>();
  const receiver: Receiver = {
    url: '',
    secrets: new Map(),
    events: [],
    posts: [],
    badSignatures: 0,
    onMessage: () => {},
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString();
      const body = JSON.parse(raw) as {
        deliveryId: string;
        businessId: string;
        events: { type: string; message?: { id: string } }[];
      };
      const [t, v1] = String(req.headers['x-switchboard-signature']).replace('t=', '').split(',v1=');
      const secret = receiver.secrets.get(body.businessId);
      // The ping that sets a webhook up comes before its secret is known here.
      if (secret && createHmac('sha256', secret).update(`${t}.${raw}`).digest('hex') !== v1) receiver.badSignatures++;
      const at = performance.now();
      receiver.posts.push(at);
      if (!seen.has(body.deliveryId)) {
        seen.add(body.deliveryId);
        for (const e of body.events) {
          receiver.events.push({ at, type: e.type });
          if (e.type === 'message') receiver.onMessage(e.message!.id);
        }
      }
      res.writeHead(200).end();
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`;
  receiver.close = () =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export default async function main(): Promise<void> {
  const receiver = await startReceiver();
  const cpuProfDir = process.env.BENCH_HOST_CPU_PROF;
  const host = await startBenchHost({
    ...(cpuProfDir ? { cpuProfDir } : {}),
    config: {
      websocket: { framesPerSecond: 100_000, burst: 100_000 },
      database: { poolSize: Number(process.env.BENCH_POOL_SIZE ?? 20) },
      // The receiver listens on loopback, which the manifest's "*" does not reach: name it.
      plugins: { enabled: [{ path: MANIFEST, grants: { 'http.outbound': { hosts: ['127.0.0.1:*'] } } }] },
    },
  });
  const sockets: BenchSocket[] = [];
  try {
    log(
      `business bench on ${host.db}: ${BUSINESSES} businesses × ${AGENTS_PER_BUSINESS} agents, ${CUSTOMERS} customers`,
    );
    const http = leanHttp(host.url, 64);
    const call = async (method: string, path: string, token: string | null, body?: unknown) => {
      const res = await http(method, `/plugins/business${path}`, token, body);
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
      return res.body;
    };
    const owners = await host.createUsers(BUSINESSES, 'owner');
    const agents = await host.createUsers(BUSINESSES * AGENTS_PER_BUSINESS, 'agent');
    const businesses = await mapLimit(owners, 8, async (owner, i) => {
      const { id } = await call('POST', '/admin/businesses', host.adminToken, {
        name: `Business ${i}`,
        ownerId: owner.id,
      });
      for (const agent of agents.slice(i * AGENTS_PER_BUSINESS, (i + 1) * AGENTS_PER_BUSINESS))
        await call('POST', `/businesses/${id}/agents`, owner.token, { userId: agent.id, team: 'support' });
      await call('PATCH', `/businesses/${id}/settings`, owner.token, {
        routing: { mode: 'round_robin', team: 'support' },
      });
      const { secret } = await call('PUT', `/businesses/${id}/webhook`, owner.token, { url: receiver.url });
      receiver.secrets.set(id, secret);
      return id as string;
    });
    sockets.push(...(await mapLimit(agents, 16, (a) => openSocket(host.wsUrl, a.token))));

    const customers = await host.createUsers(CUSTOMERS, 'customer');
    const conversations = await mapLimit(
      customers,
      16,
      async (c, i) =>
        (await call('POST', `/businesses/${businesses[i % BUSINESSES]}/conversations`, c.token))
          .conversationId as string,
    );

    let measuring = false;
    let stop = false;
    let routed = 0;
    let refused = 0;
    // A message is routed once acknowledged to its customer AND its webhook event has arrived.
    const webhookWaiters = new Map<string, () => void>();
    const arrivedEarly = new Set<string>();
    receiver.onMessage = (id) => {
      const waiter = webhookWaiters.get(id);
      if (waiter) {
        webhookWaiters.delete(id);
        waiter();
      } else arrivedEarly.add(id);
    };
    const webhookFor = (id: string) =>
      new Promise<void>((resolve) => {
        if (arrivedEarly.delete(id)) resolve();
        else webhookWaiters.set(id, resolve);
      });
    /** Each customer: send, wait for the ack and for the message's webhook event, send again. */
    const customer = async (sock: BenchSocket, conversationId: string, n: number) => {
      let waiting: ((id: string | null) => void) | null = null;
      sock.onFrame = (data) => {
        if (waiting && data.indexOf('"replyTo"') !== -1) {
          const done = waiting;
          waiting = null;
          done(data.indexOf('"type":"result"') !== -1 ? (stringField(data.toString(), 'id') ?? null) : null);
        }
      };
      for (let turn = 0; !stop; turn++) {
        const id = await new Promise<string | null>((resolve) => {
          waiting = resolve;
          sock.send(
            JSON.stringify({
              type: 'send',
              id: `s${turn}`,
              conversationId,
              clientMsgId: `c${n}-${turn}`,
              content: { type: 'text', text: `question ${turn}` },
            }),
          );
        });
        if (id === null) {
          if (measuring) refused++;
          continue;
        }
        await Promise.race([webhookFor(id), new Promise((r) => setTimeout(r, 30_000))]);
        if (measuring) routed++;
      }
    };
    const newcomers = async () => {
      const fresh = await host.createUsers(
        Math.ceil(((WARMUP_MS + MEASURE_MS) / 1000 + 2) * NEW_CUSTOMERS_PER_S),
        'newcomer',
      );
      let i = 0;
      const tick = setInterval(() => {
        if (stop || i >= fresh.length) return;
        const user = fresh[i]!;
        const businessId = businesses[i++ % BUSINESSES]!;
        void (async () => {
          const { conversationId } = await call('POST', `/businesses/${businessId}/conversations`, user.token);
          const res = await http('POST', `/v1/conversations/${conversationId}/messages`, user.token, {
            clientMsgId: 'first',
            content: { type: 'text', text: 'Hello, I need help' },
          });
          if (res.status >= 300) log(`newcomer message refused: ${res.status}`);
        })().catch((err) => {
          if (!stop) log(`newcomer failed: ${String(err)}`);
        });
      }, 1000 / NEW_CUSTOMERS_PER_S);
      while (!stop) await new Promise((r) => setTimeout(r, 100));
      clearInterval(tick);
    };
    // Every customer is connected before anyone writes, so the warm-up (not the window) takes the
    // burst of 400 first messages, 20 new conversations per business at once.
    const customerSockets = await mapLimit(customers, 16, (c) => openSocket(host.wsUrl, c.token));
    sockets.push(...customerSockets);
    const load = [...customerSockets.map((sock, i) => customer(sock, conversations[i]!, i)), newcomers()];
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    measuring = true;
    const since = Date.now();
    const from = performance.now();
    const meter = cpuMeter(host.child.pid, 'business');
    await new Promise((r) => setTimeout(r, MEASURE_MS));
    measuring = false;
    const cpu = meter();
    const to = performance.now();
    const elapsed = to - from;
    stop = true;
    await Promise.all(load);
    const inWindow = (at: number) => at >= from && at < to;
    const events = receiver.events.filter((e) => inWindow(e.at));
    const messageEvents = events.filter((e) => e.type === 'message').length;
    const posts = receiver.posts.filter(inWindow).length;
    const stats = (await call('GET', `/admin/stats?since=${since}`, host.adminToken)).assignment as {
      samples: number;
      p50Ms: number | null;
      p99Ms: number | null;
    };
    const perS = (n: number) => (n / elapsed) * 1000;
    log(
      `${routed} messages routed (${refused} refused), ${messageEvents} message events and ${events.length} events in ${posts} POSTs received in ${Math.round(elapsed)} ms; ${receiver.badSignatures} bad signatures`,
    );
    log(cpu);
    log(`assignment: ${stats.samples} in the window, p50 ${stats.p50Ms} ms, p99 ${stats.p99Ms} ms`);
    if (process.env.BENCH_PLUGIN_LOG)
      for (const e of (await host.http('GET', '/v1/admin/plugins/business/logs?limit=40', host.adminToken)).body
        .entries ?? [])
        log(JSON.stringify(e.data).slice(0, 300));
    process.stdout.write(
      `${JSON.stringify({
        bench: 'business',
        db: host.db,
        inbound_msgs_per_s: round(perS(routed), 0),
        webhook_deliveries_per_s: round(perS(events.length), 0),
        webhook_posts_per_s: round(perS(posts), 0),
        assign_p99_ms: stats.p99Ms,
        assignments: stats.samples,
        signatures_ok: receiver.badSignatures === 0,
      })}\n`,
    );
  } finally {
    await Promise.all(sockets.map((s) => s.close()));
    await host.shutdown();
    await receiver.close();
  }
  if (cpuProfDir)
    for (const line of [...summarizeProfile(cpuProfDir, host.child.pid), ...summarizeSql(cpuProfDir, host.child.pid)])
      log(line);
  process.exit(0);
}
