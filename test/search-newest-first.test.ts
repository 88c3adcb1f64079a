/**
 * Search pages are the newest matches whatever a word's frequency. On PostgreSQL a search reads
 * the segments the index names newest first, with the messages past them, and stops once it holds
 * a page (search/postgres-matches.ts). These histories span several segments, so a common word is
 * answered from the newest, a rare old one from far back, and every page of either must be
 * exactly the next matches by time, including messages stored in one batch (one millisecond,
 * ordered by seq).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { allPages as pagesOf, pastMillisecondOf, postText, searchAs, uniqueWord } from './support/search-helpers.js';

interface Sent {
  id: string;
  conversationId: string;
  createdAt: string;
  seq: number;
  text: string;
}

/** Newest first as the host orders results: time, then (for one batch of a conversation) seq. */
const newestFirst = (a: Sent, b: Sent) =>
  Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.conversationId === b.conversationId ? b.seq - a.seq : 0);

describe('search: newest first across long histories', () => {
  let host: TestHost;
  let reader: TestUser;
  let conversations: string[];
  const sent: Sent[] = [];
  const common = uniqueWord('common');
  const rare = uniqueWord('rare');
  const every40th = uniqueWord('mid');

  beforeAll(async () => {
    host = await startTestHost();
    const [owner, other] = await Promise.all([host.createUser(), host.createUser()]);
    reader = await host.createUser();
    conversations = [
      (await host.createGroup(owner, [reader], 'one')).id,
      (await host.createGroup(other, [reader], 'two')).id,
      (await host.direct(owner, reader)).id,
    ];
    const creators = [owner, other, owner];
    const text = (i: number) =>
      [common, i < 3 ? rare : '', i % 40 === 0 ? every40th : '', `number ${i}`].filter(Boolean).join(' ');
    let i = 0;
    // One message at a time, each in a millisecond of its own: no two conversations share a time.
    for (; i < 200; i++) {
      const conversationId = conversations[i % 3]!;
      const message = await postText(host, i % 2 ? creators[i % 3]! : reader, conversationId, text(i));
      sent.push({ ...message, text: text(i) });
      await pastMillisecondOf(message);
    }
    // Then bursts into one conversation, often stored in one batch: one time, told apart by seq.
    for (let burst = 0; burst < 4; burst++) {
      const conversationId = conversations[burst % 3]!;
      const messages = await Promise.all(
        Array.from({ length: 10 }, (_, k) => i + k).map(async (n) => ({
          ...(await postText(host, creators[burst % 3]!, conversationId, text(n))),
          text: text(n),
        })),
      );
      i += 10;
      sent.push(...messages);
      await pastMillisecondOf(messages.reduce((a, b) => (Date.parse(a.createdAt) > Date.parse(b.createdAt) ? a : b)));
    }
  }, 120_000);
  afterAll(async () => {
    await host?.stop();
  });

  const allPages = (params: Record<string, string | number>) => pagesOf(host, reader, params);

  const expected = (keep: (s: Sent) => boolean) =>
    sent
      .filter(keep)
      .sort(newestFirst)
      .map((s) => s.id);

  it('answers a word of every message with the newest page, and pages through all of them in order', async () => {
    for (const q of [common, common.slice(0, 6), `${common} `]) {
      const pages = await allPages({ q, limit: 20 });
      expect(pages[0], q).toEqual(expected(() => true).slice(0, 20));
      expect(pages.flat(), q).toEqual(expected(() => true));
      expect(pages.flat()).toHaveLength(240);
    }
  });

  it('finds a rare word only in the oldest messages, far back', async () => {
    for (const q of [rare, `${rare} `])
      expect((await allPages({ q })).flat(), q).toEqual(expected((s) => s.text.includes(rare)));
    expect((await allPages({ q: every40th, limit: 2 })).flat()).toEqual(expected((s) => s.text.includes(every40th)));
  });

  it('does the same within one conversation and with the last word a prefix', async () => {
    const conversationId = conversations[1]!;
    const inIt = (s: Sent) => s.conversationId === conversationId;
    const pages = await allPages({ q: common.slice(0, 8), conversationId, limit: 7 });
    expect(pages.flat()).toEqual(expected(inIt));
    expect((await allPages({ q: rare, conversationId })).flat()).toEqual(
      expected((s) => inIt(s) && s.text.includes(rare)),
    );
  });

  // The window's substring check must pass every text the words match: accents, capitals and
  // punctuation. Three plain matches then the tricky one, a page of two (the host asks for three,
  // to know whether a next page exists): were the tricky one dropped, the window would still
  // hold three and answer them.
  it('finds the newest match in a text with accents, capitals and punctuation', async () => {
    const group = conversations[0]!;
    for (const [prefix, plain, tricky] of [
      ['creme', 'creme brulee', 'Crème brûlée, s’il vous plaît'],
      ['eclai', 'eclair', 'ÉCLAIR au café'],
      ['wide', 'wide web', 'Hello,WORLD-WIDE_web 50%'],
    ] as const) {
      await postText(host, reader, group, `${plain} three`);
      await postText(host, reader, group, `${plain} two`);
      await postText(host, reader, group, `${plain} one`);
      const newest = await postText(host, reader, group, tricky);
      await pastMillisecondOf(newest);
      const res = await searchAs(host, reader, { q: prefix, limit: 2 });
      expect(res.status).toBe(200);
      expect(
        res.body.results.map((r) => r.message.content),
        prefix,
      ).toEqual([newest.content, { type: 'text', text: `${plain} one` }]);
    }
  });
});
