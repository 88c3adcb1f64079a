/**
 * Several hosts as one, for a deleted message's files: two real host processes on one PostgreSQL
 * database and one Redis. A host keeps the attachment row behind a file URL for two seconds after a
 * fetch, so that everyone fetching a picture at once costs one query; a deletion on another host
 * must still stop that URL at once, as docs/protocol.md says. The deletion's bus event makes the
 * host forget the row: by the time a member's socket on that host hears of the deletion, the URL
 * answers 404.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCluster, type Cluster, type ClusterHost } from './support/cluster-hosts.js';
import { binaryBytes, fetchFile, uploaded } from './support/attachment-helpers.js';

describe.skipIf(!process.env.DATABASE_URL)('a deleted message’s files on two hosts', () => {
  let cluster: Cluster;
  let a: ClusterHost, b: ClusterHost;

  beforeAll(async () => {
    cluster = await startCluster({ count: 2 });
    [a, b] = cluster.hosts as [ClusterHost, ClusterHost];
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it('stops serving them on the other host as soon as it hears of the deletion', async () => {
    const [alice, bob] = await Promise.all([a.createUser(), a.createUser()]);
    const group = await a.createGroup(alice, [bob]);
    const bytes = binaryBytes(3000, 9);
    const up = await uploaded(a, alice, bytes, 'plan.bin');
    const sent = await a.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: alice.token,
      body: { clientMsgId: 'plan', content: { type: 'text', text: 'the plan' }, attachmentIds: [up.id] },
    });
    expect(sent.status).toBe(201);
    const bobOnB = await b.connect(bob.token);
    const seen = await b.http('GET', `/v1/attachments/${up.id}`, { token: bob.token });
    // Fetched twice on B: the second answer comes from the row B now holds.
    for (let i = 0; i < 2; i++) expect((await fetchFile(b, seen.body.url)).bytes.equals(bytes)).toBe(true);

    const aliceOnA = await a.connect(alice.token);
    await aliceOnA.request({ type: 'delete', conversationId: group.id, messageId: sent.body.message.id });
    await bobOnB.next((f) => f.type === 'message.updated' && f.change === 'deleted');
    const gone = await fetchFile(b, seen.body.url);
    expect(gone.status).toBe(404);
    expect(gone.json.error.code).toBe('attachment_not_found');
    await Promise.all([aliceOnA.close(), bobOnB.close()]);
  });
});
