/**
 * PostgreSQL's search segments are put with the words the host cut as their messages committed
 * (migration 0025, search/segment-words.ts) where nothing can make them differ from the words of
 * the stored messages, and built from the stored messages otherwise.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SEGMENT } from '../host/db/migrations/0021-search-segments.js';
import { eventually } from './support/eventually.js';
import { METRICS_TOKEN } from './support/metrics-helpers.js';
import { op } from './support/messaging-helpers.js';
import { online } from './support/protocol-helpers.js';
import { foundIds, uniqueWord } from './support/search-helpers.js';
import {
  builtSegments,
  firstSegmentWords,
  segmentsOf,
  sendTexts,
  textOf,
  segmentsBuiltFrom,
} from './support/search-segments.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { testDatabaseKind, withDirect } from './support/test-database.js';

describe.skipIf(testDatabaseKind !== 'postgres')("search segments from the host's words on PostgreSQL", () => {
  let host: TestHost;
  let a: TestUser;
  let b: TestUser;
  beforeAll(async () => {
    host = await startTestHost({ config: { metrics: { token: METRICS_TOKEN } } });
  });
  beforeEach(async () => {
    [a, b] = await Promise.all([host.createUser(), host.createUser()]);
  });
  afterAll(() => host.stop());

  const builtFrom = (words: 'host' | 'database') => segmentsBuiltFrom(host, words);

  it('puts a full segment of plain texts with the words cut as they committed, the words of the stored texts', async () => {
    const conv = await host.direct(a, b);
    const plain = [
      'Hello,WORLD-WIDE_web 50%',
      'tab\tseparated\nnew  line',
      "it's O'Brien's 3.14 0x1F -7",
      'me@example.org',
    ];
    const fromHost = await builtFrom('host');
    const stored = await sendTexts(
      host,
      a,
      conv.id,
      Array.from({ length: SEGMENT }, (_, i) => `${plain[i % plain.length]} n${i}`),
    );
    await builtSegments(host, conv.id, 1);
    // Counted once the put's statement has answered, which may be after the segment is visible.
    await eventually(async () => (await builtFrom('host')) === fromHost + 1, { what: 'the put counted' });
    const { segment, messages } = await firstSegmentWords(host, conv.id);
    expect(segment.length).toBeGreaterThan(SEGMENT);
    expect(segment).toEqual(messages);
    const [row] = await withDirect(host.database, (db) =>
      db('search_segments').where('conversation_id', conv.id).select('oldest_at', 'newest_at'),
    );
    const times = stored.map((m) => Date.parse(m.createdAt));
    expect([Number(row.oldest_at), Number(row.newest_at)]).toEqual([Math.min(...times), Math.max(...times)]);
    // Sent ten at a time, so seq order is not the texts' order: found by its text.
    const seventeenth = stored.find((m) => m.content.text.endsWith(' n17'))!;
    expect(await foundIds(host, b, { q: 'n17 separated' })).toEqual([seventeenth.id]);
  });

  it('leaves to the database a segment one of whose messages was edited before it filled', async () => {
    const conv = await host.direct(a, b);
    const [old, renamed] = [uniqueWord('old'), uniqueWord('renamed')];
    const fromHost = await builtFrom('host');
    const fromStored = await builtFrom('database');
    const typo = textOf(await sendTexts(host, a, conv.id, [`typo ${old}`]), `typo ${old}`);
    const ca = await online(host, a);
    try {
      await op(ca, 'edit', conv.id, typo.id, { content: { type: 'text', text: `fixed ${renamed}` } });
    } finally {
      await ca.close();
    }
    await sendTexts(
      host,
      a,
      conv.id,
      Array.from({ length: SEGMENT - 1 }, (_, i) => `plain ${i}`),
    );
    await builtSegments(host, conv.id, 1);
    await eventually(async () => (await builtFrom('database')) > fromStored, { what: 'the build counted' });
    expect(await builtFrom('host')).toBe(fromHost);
    const { segment, messages } = await firstSegmentWords(host, conv.id);
    expect(segment).toEqual(messages);
    expect(segment.join(' ')).toContain(renamed);
    expect(segment.join(' ')).not.toContain(old);
    expect(await foundIds(host, b, { q: old })).toEqual([]);
    expect(await foundIds(host, b, { q: renamed })).toEqual([typo.id]);
  });

  it('leaves to the database a segment with a text only it cuts alike, and the segment after it', async () => {
    const conv = await host.direct(a, b);
    const fromHost = await builtFrom('host');
    const texts = Array.from({ length: 2 * SEGMENT }, (_, i) => (i === 3 ? 'crème 9e9z' : `plain ${i}`));
    await sendTexts(host, a, conv.id, texts);
    await builtSegments(host, conv.id, 2);
    // The second may be put from the words gathered here, once the first is built.
    expect(await builtFrom('host')).toBeLessThanOrEqual(fromHost + 1);
    const { segment, messages } = await firstSegmentWords(host, conv.id);
    expect(segment).toEqual(messages);
    expect(segment.join(' ')).toContain('9e9');
    expect((await segmentsOf(host, conv.id)).map((s) => s.last_seq)).toEqual([SEGMENT, 2 * SEGMENT]);
  });
});
