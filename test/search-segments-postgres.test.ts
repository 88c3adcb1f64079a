/**
 * PostgreSQL's search index holds segments of 64 messages of a conversation, built behind the
 * writer once all 64 are stored, or a quiet conversation's newest messages (migration 0021,
 * search/search-segment-builder.ts); a search reads the segments the index names and the
 * messages past them one by one.
 * Every answer must be the same as if each message were indexed at its send: in a built segment
 * or past it, after an edit or a delete, in a segment with too much text to keep its words, and
 * for messages this host never saw stored.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { allPages, foundIds, postText, uniqueWord } from './support/search-helpers.js';
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
import type { Knex } from 'knex';
import { eventually } from './support/eventually.js';
import { METRICS_TOKEN } from './support/metrics-helpers.js';
import { online } from './support/protocol-helpers.js';
import { op } from './support/messaging-helpers.js';

describe.skipIf(testDatabaseKind !== 'postgres')('search segments on PostgreSQL', () => {
  const hosts: TestHost[] = [];
  let host: TestHost;
  let a: TestUser;
  let b: TestUser;
  beforeAll(async () => {
    hosts.push((host = await startTestHost({ config: { metrics: { token: METRICS_TOKEN } } })));
  });
  beforeEach(async () => {
    // A direct conversation of their own for each test.
    [a, b] = await Promise.all([host.createUser(), host.createUser()]);
  });
  afterAll(async () => {
    // The first host drops the database, after the one started on it.
    for (const h of hosts.reverse()) await h.stop();
  });

  const direct = <T>(fn: (db: Knex) => Promise<T>): Promise<T> => withDirect(host.database, fn);
  const segments = (conversationId: string) => segmentsOf(host, conversationId);
  const builtCount = (conversationId: string, count: number) => builtSegments(host, conversationId, count);
  const sendAll = (conversationId: string, texts: string[]) => sendTexts(host, a, conversationId, texts);

  it('builds full segments behind the writer and finds words in them and past them, newest first', async () => {
    const conv = await host.direct(a, b);
    const common = uniqueWord('common');
    const rare = uniqueWord('rare');
    const built = async () => (await segmentsBuiltFrom(host, 'host')) + (await segmentsBuiltFrom(host, 'database'));
    const before = await built();
    const texts = Array.from(
      { length: 150 },
      (_, i) => `${common} number ${i}${i === 5 || i === 140 ? ` ${rare}` : ''}`,
    );
    const stored = await sendAll(conv.id, texts);
    // Seqs 1–64 and 65–128 once full; 129–150 once the conversation is quiet for a moment.
    await builtCount(conv.id, 2);
    await eventually(async () => Number((await segments(conv.id))[2]?.last_seq) === 150, {
      what: 'seqs 129–150 covered',
    });
    // Counted once each build's statement has answered, which may be after its segment is visible.
    await eventually(async () => (await built()) >= before + 2, { what: 'both builds counted' });
    const key = await direct(async (db) => {
      const { rows } = await db.raw<{ rows: { key: string }[] }>('select switchboard_search_key(?) as key', [conv.id]);
      return rows[0]!.key;
    });
    const [first] = await segments(conv.id);
    expect(first!.words).toContain(`'${key}${rare}'`);
    expect(first!.words).toContain(`'${key}${common}'`);

    const newestFirst = [...stored].reverse().map((s) => s.id);
    const byText = (t: string) => textOf(stored, t).id;
    expect(await foundIds(host, b, { q: rare })).toEqual([byText(texts[140]!), byText(texts[5]!)]);
    for (const q of [common, common.slice(0, 8), `${common} `]) {
      const pages = await allPages(host, b, { q, limit: 7 });
      expect(pages[0], q).toEqual(newestFirst.slice(0, 7));
      expect(pages.flat(), q).toEqual(newestFirst);
    }
    expect(await foundIds(host, b, { q: `${common} 77` })).toEqual([byText(texts[77]!)]);
    expect(await foundIds(host, b, { q: `number 149`, conversationId: conv.id })).toEqual([byText(texts[149]!)]);
  });

  it('holds in a segment exactly the words of its messages, whatever their spaces, punctuation and scripts', async () => {
    const conv = await host.direct(a, b);
    const tricky = [
      'Crème brûlée, s’il vous plaît',
      'Hello,WORLD-WIDE_web 50%',
      'tab\tseparated\nnew  line   and  double  spaces ',
      `${'x'.repeat(600)} after-long`,
      'emoji 🎉party 🎉 time',
      'numbers 3.14 1e5 0x1F v2.0.1 -7',
      'see https://example.com/a?b=c&d=e#f or me@example.org',
      '中文字符 测试 日本語のテキスト',
      'ÉCLAIR au café; naïve façade',
      "it's O'Brien's",
    ];
    await sendAll(
      conv.id,
      Array.from({ length: 64 }, (_, i) => `${tricky[i % tricky.length]} ${i % 3 === 0 ? 'again' : `n${i}`}`),
    );
    await builtCount(conv.id, 1);
    const { segment, messages } = await firstSegmentWords(host, conv.id);
    expect(segment.length).toBeGreaterThan(40);
    expect(segment).toEqual(messages);
  });

  it('keeps each word at its messages’ offsets when a quiet conversation’s segment grows', async () => {
    const conv = await host.direct(a, b);
    const [early, late] = [uniqueWord('early'), uniqueWord('late')];
    const covered = async (seq: number) =>
      eventually(async () => Number((await segments(conv.id))[0]?.last_seq) === seq, { what: `covered to ${seq}` });
    // One at a time, so each text's seq is known.
    const send = async (texts: string[]) => {
      for (const text of texts) await postText(host, a, conv.id, text);
    };
    await send([`${early} one`, `${early} two`, 'three']);
    await covered(3);
    await send([`${late} four`, `${early} ${late} five`, 'six']);
    await covered(6);
    const { segment, messages } = await firstSegmentWords(host, conv.id);
    expect(segment).toEqual(messages);
    // Joined by their text: a tsvector's || would have moved the later words' offsets on by three.
    expect(segment.filter((w) => w.includes(early) || w.includes(late))).toEqual([
      expect.stringMatching(new RegExp(`${early}:1,2,5$`)),
      expect.stringMatching(new RegExp(`${late}:4,5$`)),
    ]);
    expect(await foundIds(host, b, { q: `${early} ${late}` })).toHaveLength(1);
  });

  it('finds an edit in a built segment by its new words only, and never a deleted message', async () => {
    const conv = await host.direct(a, b);
    const [old, renamed, gone] = [uniqueWord('old'), uniqueWord('renamed'), uniqueWord('gone')];
    const stored = await sendAll(
      conv.id,
      Array.from({ length: 70 }, (_, i) => (i === 10 ? `typo ${old}` : i === 20 ? `secret ${gone}` : `filler ${i}`)),
    );
    const [typo, secret] = [textOf(stored, `typo ${old}`), textOf(stored, `secret ${gone}`)];
    await builtCount(conv.id, 1);
    const ca = await online(host, a);
    try {
      await op(ca, 'edit', conv.id, typo.id, { content: { type: 'text', text: `fixed ${renamed}` } });
      await op(ca, 'delete', conv.id, secret.id);
    } finally {
      await ca.close();
    }
    expect(await foundIds(host, b, { q: renamed })).toEqual([typo.id]);
    expect(await foundIds(host, b, { q: old })).toEqual([]);
    expect(await foundIds(host, b, { q: gone })).toEqual([]);
    // The segment itself no longer holds the deleted text's words, nor the edited-away ones.
    const [segment] = await segments(conv.id);
    expect(segment!.complete).toBe(true);
    expect(await foundIds(host, b, { q: 'filler' })).toHaveLength(20);
    // At the edited message's offset in the segment (migration 0026): a search reads it there.
    expect(segment!.words).toContain(`${renamed}':${typo.seq}`);
    expect(segment!.words).not.toContain(gone);
    expect(segment!.words).not.toContain(old);
  });

  it('finds an edit made before its message was covered by its new words, once covered too', async () => {
    const conv = await host.direct(a, b);
    const [old, renamed] = [uniqueWord('old'), uniqueWord('renamed')];
    // Sent together, so either may take seq 1: found by its text.
    const typo = textOf(await sendAll(conv.id, [`typo ${old}`, 'second']), `typo ${old}`);
    const ca = await online(host, a);
    try {
      // At once: the quiet conversation's messages are covered only after a moment without sends.
      await op(ca, 'edit', conv.id, typo.id, { content: { type: 'text', text: `fixed ${renamed}` } });
    } finally {
      await ca.close();
    }
    expect(await foundIds(host, b, { q: renamed })).toEqual([typo.id]);
    await eventually(async () => Number((await segments(conv.id))[0]?.last_seq) === 2, { what: 'both covered' });
    expect(await foundIds(host, b, { q: renamed })).toEqual([typo.id]);
    expect(await foundIds(host, b, { q: old })).toEqual([]);
    const [segment] = await segments(conv.id);
    expect(segment!.words).toContain(`${renamed}':${typo.seq}`);
    expect(segment!.words).not.toContain(old);
  });

  it('reads a segment with too much text to keep its words one message at a time', async () => {
    const conv = await host.direct(a, b);
    const word = uniqueWord('big');
    const filler = 'lorem ipsum '.repeat(180);
    const stored = await sendAll(
      conv.id,
      Array.from({ length: 64 }, (_, i) => `${filler} ${i === 33 ? word : 'plain'}`),
    );
    await builtCount(conv.id, 1);
    expect((await segments(conv.id))[0]!.words).toBeNull();
    expect(await foundIds(host, b, { q: word })).toEqual([textOf(stored, `${filler} ${word}`).id]);
  });

  it('builds at start the segments of messages it never saw stored', async () => {
    const conv = await host.direct(a, b);
    const word = uniqueWord('restored');
    const stored = await sendAll(
      conv.id,
      Array.from({ length: 64 }, (_, i) => `${i === 2 ? word : 'again'} ${i}`),
    );
    await builtCount(conv.id, 1);
    // As after a restore of the messages, or a host that stopped between a commit and its build.
    await direct((db) => db('search_segments').where('conversation_id', conv.id).delete());
    expect(await foundIds(host, b, { q: word })).toEqual([textOf(stored, `${word} 2`).id]);
    await host.stopHostOnly();
    hosts.push(
      (host = await startTestHost({ database: host.database, config: { metrics: { token: METRICS_TOKEN } } })),
    );
    await builtCount(conv.id, 1);
    expect(await foundIds(host, b, { q: word })).toEqual([textOf(stored, `${word} 2`).id]);
  });
});
