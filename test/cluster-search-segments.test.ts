/**
 * Search segments on two hosts sharing one PostgreSQL: a host puts a segment from the words it
 * gathered only when it saw every one of its messages commit (migration 0025). A conversation
 * written through both hosts has its segments built from the stored messages, and a search
 * through either host finds what was sent through the other.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEGMENT } from '../host/db/migrations/0021-search-segments.js';
import { startCluster, type Cluster, type ClusterHost } from './support/cluster-hosts.js';
import { eventually } from './support/eventually.js';
import { METRICS_TOKEN } from './support/metrics-helpers.js';
import { foundIds, postText, uniqueWord } from './support/search-helpers.js';
import { builtSegments, firstSegmentWords, type Stored, segmentsBuiltFrom } from './support/search-segments.js';
import type { TestUser } from './support/start-test-host.js';

// Hosts sharing a database need PostgreSQL (the bus refuses SQLite).
describe.skipIf(!process.env.DATABASE_URL)('search segments across two hosts', () => {
  let cluster: Cluster;
  let hosts: ClusterHost[];
  let a: TestUser;
  let b: TestUser;
  beforeAll(async () => {
    cluster = await startCluster({ count: 2, config: { metrics: { token: METRICS_TOKEN } } });
    hosts = cluster.hosts;
  }, 120_000);
  beforeEach(async () => {
    // A direct conversation of their own for each test.
    [a, b] = await Promise.all([hosts[0]!.createUser(), hosts[1]!.createUser()]);
  });
  afterAll(() => cluster?.stop());

  /** Segments each host put from the words it gathered. */
  const putByHosts = () => Promise.all(hosts.map((h) => segmentsBuiltFrom(h, 'host')));
  /** Segments the hosts built from the stored messages, together. */
  const builtFromStored = async () =>
    (await Promise.all(hosts.map((h) => segmentsBuiltFrom(h, 'database')))).reduce((n, m) => n + m, 0);

  /** Texts sent one at a time, the i-th through `via(i)`. */
  async function sendVia(conversationId: string, texts: string[], via: (i: number) => ClusterHost) {
    const stored: Stored[] = [];
    for (const [i, text] of texts.entries()) stored.push((await postText(via(i), a, conversationId, text)) as Stored);
    return stored;
  }

  it('builds from the stored messages a segment written through both hosts, found through either', async () => {
    const conv = await hosts[0]!.direct(a, b);
    const [first, second] = [uniqueWord('first'), uniqueWord('second')];
    const before = await putByHosts();
    const storedBefore = await builtFromStored();
    const texts = Array.from({ length: SEGMENT }, (_, i) => (i === 4 ? first : i === 9 ? second : `plain ${i}`));
    const stored = await sendVia(conv.id, texts, (i) => hosts[i % 2]!);
    await builtSegments(hosts[0]!, conv.id, 1);
    // A host counts a build once its statement has answered, which may be after the segment is
    // visible: the count of builds from the stored messages says that one is done.
    await eventually(async () => (await builtFromStored()) > storedBefore, { what: 'the build counted' });
    expect(await putByHosts()).toEqual(before);
    const { segment, messages } = await firstSegmentWords(hosts[0]!, conv.id);
    expect(segment).toEqual(messages);
    for (const h of hosts) {
      expect(await foundIds(h, b, { q: first })).toEqual([stored[4]!.id]);
      expect(await foundIds(h, b, { q: second })).toEqual([stored[9]!.id]);
    }
  });

  it('puts from its words a segment written through one host alone', async () => {
    /**
     * One conversation written through host B alone: B puts its segment from the words it
     * gathered. A stall of 2 s mid-way on a loaded machine makes the conversation quiet for B,
     * which then lets go of its words and builds from the stored messages, as it should: that
     * conversation proves nothing, so another is tried, up to three. Never a put fails the test.
     */
    const attempt = async (): Promise<boolean> => {
      const conv = await hosts[0]!.direct(a, b);
      const word = uniqueWord('alone');
      const [before, storedBefore] = [await putByHosts(), await builtFromStored()];
      const stored = await sendVia(
        conv.id,
        Array.from({ length: SEGMENT }, (_, i) => (i === 30 ? word : `plain ${i}`)),
        () => hosts[1]!,
      );
      await builtSegments(hosts[0]!, conv.id, 1);
      // Counted once host B's statement has answered, which may be after the segment is visible.
      const put = await eventually(
        async () => {
          expect(await putByHosts()).toEqual([before[0], before[1]! + 1]);
          return true;
        },
        { what: "host B's put counted" },
      ).catch(() => false);
      if (!put) {
        // Then the segment came from the stored messages (the stall's path), or the test fails.
        expect(await builtFromStored()).toBeGreaterThan(storedBefore);
        return false;
      }
      const { segment, messages } = await firstSegmentWords(hosts[0]!, conv.id);
      expect(segment).toEqual(messages);
      expect(await foundIds(hosts[0]!, b, { q: word })).toEqual([stored[30]!.id]);
      return true;
    };
    let put = false;
    for (let tries = 0; tries < 3 && !put; tries++) put = await attempt();
    expect(put, 'host B put none of three segments from its words').toBe(true);
  }, 180_000);
});
