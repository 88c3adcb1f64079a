/**
 * Reports on several hosts: two real host processes on one PostgreSQL database and one Redis. The
 * same report sent to both at once is one report; the per-user limit counts on both together;
 * the operator resolving on one host deletes the message for members connected to the other.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type ClusterHost } from './support/cluster-hosts.js';
import { expectError, report } from './support/report-helpers.js';

describe.skipIf(!process.env.DATABASE_URL)('reports on two hosts', () => {
  let cluster: Cluster;
  let a: ClusterHost, b: ClusterHost;

  beforeAll(async () => {
    cluster = await startCluster({
      count: 2,
      config: { reports: { submitLimit: { requests: 6, windowSeconds: 60 } } },
    });
    [a, b] = cluster.hosts as [ClusterHost, ClusterHost];
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  });

  it('makes one report of a repeat sent to both hosts, and deletes on one for members on the other', async () => {
    const [ada, bob, carol] = await Promise.all([a.createUser(), a.createUser(), a.createUser()]);
    const group = await a.createGroup(ada, [bob, carol]);
    const sent = await a.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: bob.token,
      body: { clientMsgId: 'spam-1', content: { type: 'text', text: 'buy now' } },
    });
    const target = { conversationId: group.id, messageId: sent.body.message.id, reason: 'spam' };
    const answers = await Promise.all([a, b, a, b].map((host) => report(host, ada, target)));
    expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
    expect(answers.map((res) => res.status).sort()).toEqual([200, 200, 200, 201]);

    const carolOnA = await a.connect(carol.token);
    const resolved = await b.http('POST', `/v1/admin/reports/${answers[0]!.body.id}/resolve`, {
      token: 'admin',
      body: { action: 'delete_message' },
    });
    expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);
    await carolOnA.next(
      (f) => f.type === 'message.updated' && f.message.id === target.messageId && f.change === 'deleted',
    );
    await carolOnA.close();
  });

  it('counts a user’s reports on both hosts together', async () => {
    const [ada, ...others] = await Promise.all(Array.from({ length: 8 }, () => a.createUser()));
    await a.createGroup(ada!, others);
    // Alternating hosts: on its own, each would have let all seven through.
    const answers = [];
    for (const [i, user] of others.entries())
      answers.push(await report(i % 2 ? b : a, ada!, { userId: user.id, reason: 'spam' }));
    expect(answers.slice(0, 6).map((res) => res.status)).toEqual([201, 201, 201, 201, 201, 201]);
    expectError(answers[6]!, 429, 'rate_limited');
  });
});
