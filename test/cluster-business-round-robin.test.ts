/**
 * Round-robin on three hosts: the business plugin picks among a team's online agents through
 * ctx.users.presence, which learns of agents connected to other hosts through the Redis bus. Each
 * agent is connected to a different host and customers write through every host: conversations
 * go to agents on all three hosts, whichever host they arrive on, and an agent who goes offline on
 * one host stops being picked on the others once presence says so. A new conversation written
 * through two hosts at once is assigned once, and the turn the losing host took is given back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestClient } from './support/test-client.js';
import type { TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';
import { BUSINESS_MANIFEST, FAST_WEBHOOKS, businessApi } from './support/business-helpers.js';
import { startCluster, type Cluster, type ClusterHost } from './support/cluster-hosts.js';
import { openDirect } from './support/test-database.js';

// Hosts sharing a database need PostgreSQL (the bus refuses SQLite).
describe.skipIf(!process.env.DATABASE_URL)('business round-robin across three hosts', () => {
  let cluster: Cluster;
  let hosts: ClusterHost[];
  let owner: TestUser;
  let agents: TestUser[];
  let businessId: string;
  const sockets = new Map<string, TestClient>();
  /** Made ahead (logins hash passwords: slow), so that customers follow each other closely. */
  let customers: TestUser[] = [];
  const api = (n: number) => businessApi(hosts[n % hosts.length]!);

  const onlineOn = async (n: number): Promise<Record<string, boolean>> => {
    const res = await api(n).call(owner, 'GET', `/businesses/${businessId}/agents`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return Object.fromEntries(
      (res.body.agents as { userId: string; online: boolean }[]).map((a) => [a.userId, a.online]),
    );
  };
  /** A new customer starts a conversation and writes through host `n`; resolves with who got it. */
  const customerThrough = async (n: number): Promise<string> => {
    const customer = customers.pop() ?? (await hosts[n]!.createUser());
    const thread = await api(n).startThread(customer, businessId);
    await api(n).customerSays(customer, thread.conversationId, `hello through host ${n}`);
    return eventually(async () => (await api(n).thread(owner, thread.threadId)).assignee as string | null, {
      timeoutMs: 10_000,
      what: `the conversation from host ${n} to be assigned`,
    });
  };

  beforeAll(async () => {
    cluster = await startCluster({
      presenceIntervalMs: 200,
      config: {
        plugins: {
          enabled: [
            {
              path: BUSINESS_MANIFEST,
              settings: { webhooks: FAST_WEBHOOKS },
              grants: { 'http.outbound': { hosts: ['127.0.0.1:*'] } },
            },
          ],
        },
      },
    });
    hosts = cluster.hosts;
    owner = await hosts[0]!.createUser();
    agents = await Promise.all(hosts.map((h) => h.createUser()));
    businessId = await api(0).createBusiness(owner);
    // Each agent is added through a different host: the team is one, wherever it was changed.
    for (const [n, agent] of agents.entries()) await api(n).addAgent(owner, businessId, agent, 'support');
    const routing = await api(1).call(owner, 'PATCH', `/businesses/${businessId}/settings`, {
      routing: { mode: 'round_robin', team: 'support' },
    });
    expect(routing.body.routing).toEqual({ mode: 'round_robin', team: 'support' });
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('assigns conversations from every host to agents on every host, in turn', { timeout: 120_000 }, async () => {
    customers = await Promise.all(Array.from({ length: 27 }, (_, i) => hosts[i % 3]!.createUser()));
    // Agent n is connected to host n only.
    for (const [n, agent] of agents.entries()) sockets.set(agent.id, await hosts[n]!.connect(agent.token));
    for (const n of [0, 1, 2])
      await eventually(
        async () => {
          const online = await onlineOn(n);
          return agents.every((a) => online[a.id]);
        },
        {
          what: `every agent online as host ${n} sees it`,
        },
      );

    const got: { via: number; assignee: string }[] = [];
    for (let i = 0; i < 9; i++) got.push({ via: i % 3, assignee: await customerThrough(i % 3) });
    const counts = agents.map((a) => got.filter((g) => g.assignee === a.id).length);
    expect(counts.reduce((s, c) => s + c, 0)).toBe(9);
    // Turns go round exactly, whichever host each conversation arrived on and each agent is on.
    expect(counts, JSON.stringify(got)).toEqual([3, 3, 3]);
    for (let i = 1; i < got.length; i++) expect(got[i]!.assignee).not.toBe(got[i - 1]!.assignee);
    // Many at once, through all three hosts: all assigned, shared among the three.
    const burst = await Promise.all(Array.from({ length: 12 }, (_, i) => customerThrough(i % 3)));
    expect(burst.every((id) => agents.some((a) => a.id === id))).toBe(true);
    for (const agent of agents) expect(burst.filter((id) => id === agent.id).length).toBeGreaterThanOrEqual(2);

    // Host A alone, one after the other: its turns still go round all three hosts' agents.
    const onA: string[] = [];
    for (let i = 0; i < 6; i++) onA.push(await customerThrough(0));
    for (const agent of agents)
      expect(
        onA.filter((id) => id === agent.id),
        JSON.stringify(onA),
      ).toHaveLength(2);
  });

  it('stops picking an agent who went offline on host B, on the other hosts too', { timeout: 120_000 }, async () => {
    customers = await Promise.all(Array.from({ length: 9 }, (_, i) => hosts[i % 3]!.createUser()));
    const leaving = agents[1]!;
    await sockets.get(leaving.id)!.close();
    sockets.delete(leaving.id);
    for (const n of [0, 2])
      await eventually(async () => (await onlineOn(n))[leaving.id] === false, {
        what: `host ${n} to see the agent offline`,
      });

    const got: string[] = [];
    for (let i = 0; i < 6; i++) got.push(await customerThrough(i % 2 === 0 ? 0 : 2));
    expect(got).not.toContain(leaving.id);
    expect(
      got.filter((id) => id === agents[0]!.id),
      JSON.stringify(got),
    ).toHaveLength(3);
    expect(
      got.filter((id) => id === agents[2]!.id),
      JSON.stringify(got),
    ).toHaveLength(3);

    // Back online on another host (C): picked again by conversations arriving on host A.
    sockets.set(leaving.id, await hosts[2]!.connect(leaving.token));
    await eventually(async () => (await onlineOn(0))[leaving.id] === true, { what: 'host A to see the agent back' });
    const back: string[] = [];
    for (let i = 0; i < 3; i++) back.push(await customerThrough(0));
    expect(back).toContain(leaving.id);
  });
  it('a new conversation written through two hosts at once spends one turn', { timeout: 120_000 }, async () => {
    customers = await Promise.all(Array.from({ length: 15 }, (_, i) => hosts[i % 3]!.createUser()));
    for (const n of [0, 1, 2])
      await eventually(
        async () => {
          const online = await onlineOn(n);
          return agents.every((a) => online[a.id]);
        },
        { what: `every agent online as host ${n} sees it` },
      );
    // One after the other through host A: the order the turns go in from here.
    const order: string[] = [];
    for (let i = 0; i < 3; i++) order.push(await customerThrough(0));
    expect(new Set(order).size).toBe(3);

    /**
     * Hosts A and B both see the new conversation unassigned and both ask for an agent: one
     * assigns it, the other spends the next agent's turn for nothing and must give it back, or
     * that agent is skipped (a sequence of turns alone would not show it: a skip shifts it).
     */
    const racedThrough = async (): Promise<string> => {
      const customer = customers.pop()!;
      const thread = await api(0).startThread(customer, businessId);
      await Promise.all(
        [0, 1].map((n) => api(n).customerSays(customer, thread.conversationId, `quick, through host ${n}`)),
      );
      return eventually(async () => (await api(0).thread(owner, thread.threadId)).assignee as string | null, {
        timeoutMs: 10_000,
        what: 'the raced conversation to be assigned',
      });
    };
    /**
     * The losing host gives the turn back after the winner's assignment shows, and host C's next
     * read of the team may come between the two: wait, in the database, for the agent next in
     * order to hold the oldest turn (never, if the turn is not given back).
     */
    const db = openDirect(cluster.database);
    const nextInTurn = (expected: string) =>
      eventually(
        async () => {
          const turns = await db('p_business__agents')
            .where({ business_id: businessId, team: 'support' })
            .orderBy([{ column: 'last_assigned_at' }, { column: 'user_id' }])
            .select('user_id');
          return turns[0]?.user_id === expected;
        },
        { timeoutMs: 5_000, what: 'the next agent in order to hold the oldest turn' },
      );
    const got: string[] = [];
    try {
      for (let i = 0; i < 6; i++) {
        got.push(await racedThrough());
        await nextInTurn(order[(2 * i + 1) % 3]!);
        got.push(await customerThrough(2));
      }
    } finally {
      await db.destroy();
    }
    expect(got, JSON.stringify({ order, got })).toEqual(got.map((_, i) => order[i % 3]));
  });
});
