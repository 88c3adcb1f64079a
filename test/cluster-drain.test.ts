/**
 * Several hosts as one, when a host is drained: three real host processes on one PostgreSQL
 * database and one Redis. Users on two hosts keep sending into a group while its other members
 * listen on the third; that host gets SIGTERM. It closes their sockets with 1001 (shutting_down,
 * docs/protocol.md) and exits 0; they reconnect to the other hosts and `resume` from the last pts
 * they applied. What was sent meanwhile comes in the replay, what is sent afterwards live: every
 * listener ends with every message of the group exactly once, in consecutive pts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeWithin, fullHistory } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { startCluster, type Cluster, type ClusterHost } from './support/cluster-hosts.js';
import type { TestUser } from './support/start-test-host.js';
import { connect, type Frame, type TestClient } from './support/test-client.js';

const LISTENERS = 3;
const WINDOW = 4;

interface Listener {
  user: TestUser;
  /** Every socket this user has had, the current one last. */
  sockets: TestClient[];
}

const created = (frames: Frame[], conversationId: string) =>
  frames.filter((f) => f.type === 'message.created' && f.conversationId === conversationId);

// Hosts sharing a database need PostgreSQL (the bus refuses SQLite).
describe.skipIf(!process.env.DATABASE_URL)('draining one of three hosts', () => {
  let cluster: Cluster;
  let drained: ClusterHost, b: ClusterHost, c: ClusterHost;
  const sockets: TestClient[] = [];

  beforeAll(async () => {
    cluster = await startCluster();
    [drained, b, c] = cluster.hosts as [ClusterHost, ClusterHost, ClusterHost];
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((s) => s.ws.terminate());
    await cluster?.stop();
  });

  it('closes its sockets with 1001; its clients resume on the other hosts and miss nothing, duplicate nothing', async () => {
    const [senderB, senderC, ...listenerUsers] = await Promise.all(
      Array.from({ length: 2 + LISTENERS }, () => b.createUser()),
    );
    const room = (await b.createGroup(senderB!, [senderC!, ...listenerUsers])).id as string;
    const stream = (l: Listener) =>
      created(
        l.sockets.flatMap((s) => s.frames),
        room,
      );
    const lastPts = (l: Listener) => stream(l).reduce((max, f) => Math.max(max, f.pts as number), 0);
    /** Connects to `host` and resumes the room from the last pts the listener applied. */
    const attach = async (l: Listener, host: ClusterHost) => {
      const client = await connect(host.wsUrl, l.user.token);
      sockets.push(client);
      const pts = lastPts(l);
      l.sockets.push(client);
      const resumed = await client.request<{ conversations: { status: string }[] }>({
        type: 'resume',
        conversations: [{ conversationId: room, pts }],
      });
      expect(resumed.conversations.map((r) => r.status)).toEqual(['caught_up']);
      return client;
    };
    const listeners: Listener[] = listenerUsers.map((user) => ({ user, sockets: [] }));
    await Promise.all(listeners.map((l) => attach(l, drained)));

    let running = true;
    let acked = 0;
    /** Sends into the room, WINDOW at a time, until told to stop; every send must be answered. */
    const pump = async (user: TestUser, host: ClusterHost) => {
      const client = await connect(host.wsUrl, user.token);
      sockets.push(client);
      const inflight = new Set<Promise<void>>();
      for (let n = 0; running; n++) {
        const p: Promise<void> = client
          .request({
            type: 'send',
            conversationId: room,
            clientMsgId: randomUUID(),
            content: { type: 'text', text: `${user.handle} ${n}` },
          })
          .then(() => {
            acked++;
          })
          .finally(() => inflight.delete(p));
        inflight.add(p);
        if (inflight.size >= WINDOW) await Promise.race(inflight);
      }
      await Promise.all(inflight);
    };
    const pumps = [pump(senderB!, b), pump(senderC!, c)];
    const upTo = (n: number, what: string) => eventually(() => acked >= n, { timeoutMs: 60_000, intervalMs: 5, what });
    await upTo(100, '100 sends before the drain');
    await eventually(() => listeners.every((l) => stream(l).length > 0), { what: 'live messages on the drained host' });

    const exit = drained.child.kill('SIGTERM');
    const closes = await Promise.all(listeners.map((l) => closeCodeWithin(l.sockets[0]!, 30_000)));
    expect(closes).toEqual(listeners.map(() => 1001));
    // Sends go on while the listeners are away: those come back in the replay of `resume`.
    const ackedWhileAway = acked;
    await upTo(ackedWhileAway + 50, '50 sends while the listeners are disconnected');
    await Promise.all(listeners.map((l, i) => attach(l, i % 2 === 0 ? b : c)));
    const ackedAtReconnect = acked;
    await upTo(ackedAtReconnect + 100, '100 sends after the reconnect');
    running = false;
    await Promise.all(pumps);
    expect(await exit).toEqual({ code: 0, signal: null });

    // The stored history (through a host that stayed): every send once, seqs 1..n.
    const history = await fullHistory(b.url, senderB!.token, room);
    expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
    expect(history.filter((m) => m.clientMsgId).length).toBe(acked);
    for (const l of listeners) {
      await eventually(() => lastPts(l) >= history.length, {
        timeoutMs: 30_000,
        what: `${l.user.handle} to receive all ${history.length} messages`,
      });
      const frames = stream(l);
      expect(frames.map((f) => f.pts)).toEqual(history.map((_, i) => i + 1));
      expect(frames.map((f) => f.message.id)).toEqual(history.map((m) => m.id));
      // The hosts that stayed sent the rest: what was sent while away, then what came live. (Up to
      // WINDOW sends per sender, committed before the drain, may have been answered after it.)
      const onNewHost = created(l.sockets[1]!.frames, room).length;
      expect(onNewHost).toBeGreaterThanOrEqual(acked - ackedWhileAway - 2 * WINDOW);
    }
  }, 180_000);
});
