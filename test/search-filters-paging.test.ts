/**
 * Search filters (sender, date range, has-attachment) and pages: the cursor walks every result
 * once, newest first, with no duplicate and no gap, even while new messages arrive.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { allPages, foundIds, pastMillisecondOf, postText, searchAs, uniqueWord } from './support/search-helpers.js';

describe('search: filters and pages', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('filters by sender', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const group = await host.createGroup(a, [b, c]);
    const word = uniqueWord();
    const fromA = await postText(host, a, group.id, `${word} one`);
    const fromB = await postText(host, b, group.id, `${word} two`);
    const fromA2 = await postText(host, a, group.id, `${word} three`);
    expect(await foundIds(host, c, { q: word, senderId: a.id })).toEqual([fromA2.id, fromA.id]);
    expect(await foundIds(host, c, { q: word, senderId: b.id })).toEqual([fromB.id]);
    expect(await foundIds(host, c, { q: word, senderId: c.id })).toEqual([]);
  });

  it('filters by date: since is inclusive, until exclusive, in any ISO 8601 zone', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const first = await postText(host, a, conv.id, `${word} first`);
    await pastMillisecondOf(first);
    const second = await postText(host, a, conv.id, `${word} second`);
    await pastMillisecondOf(second);
    const third = await postText(host, a, conv.id, `${word} third`);

    expect(await foundIds(host, a, { q: word, since: second.createdAt })).toEqual([third.id, second.id]);
    expect(await foundIds(host, a, { q: word, until: second.createdAt })).toEqual([first.id]);
    expect(await foundIds(host, a, { q: word, since: second.createdAt, until: third.createdAt })).toEqual([second.id]);
    // The same instant written with an offset.
    const at = new Date(Date.parse(second.createdAt) + 2 * 3600_000).toISOString().replace('Z', '+02:00');
    expect(await foundIds(host, a, { q: word, since: at })).toEqual([third.id, second.id]);
    const day = first.createdAt.slice(0, 10);
    expect(await foundIds(host, a, { q: word, since: day })).toEqual([third.id, second.id, first.id]);

    for (const [name, value] of [
      ['since', 'yesterday'],
      ['since', '2024-02-31'],
      ['until', '2024-13-01T00:00:00Z'],
      ['until', '2024-01-01T10:00'],
    ] as const) {
      const res = await searchAs(host, a, { q: word, [name]: value });
      expect(res.status, `${name}=${value}`).toBe(400);
      expect(res.body.error!.code).toBe('invalid_request');
      expect(res.body.error!.details!.map((d) => d.path)).toEqual([`/query/${name}`]);
    }
  });

  it('filters by whether a message has attachments', async () => {
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    const conv = await host.direct(a, b);
    const word = uniqueWord();
    const upload = await host.http('POST', '/v1/attachments?name=notes.txt', {
      token: a.token,
      rawBody: `notes about ${word}\n`,
      headers: { 'content-type': 'text/plain' },
    });
    expect(upload.status, JSON.stringify(upload.body)).toBe(201);
    const withFile = await postText(host, a, conv.id, `${word} see attached`, { attachmentIds: [upload.body.id] });
    const without = await postText(host, a, conv.id, `${word} no file`);

    expect(await foundIds(host, b, { q: word, hasAttachment: true })).toEqual([withFile.id]);
    expect(await foundIds(host, b, { q: word, hasAttachment: false })).toEqual([without.id]);
    expect(await foundIds(host, b, { q: word })).toEqual([without.id, withFile.id]);
    const bad = await searchAs(host, b, { q: word, hasAttachment: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.error!.details!.map((d) => d.path)).toEqual(['/query/hasAttachment']);
  });

  it('pages through every result once, newest first, even while new messages arrive', async () => {
    const [a, b, c] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
    const direct = await host.direct(a, b);
    const group = await host.createGroup(a, [c]);
    const word = uniqueWord();
    const sent: string[] = [];
    for (let i = 0; i < 8; i++) {
      const inGroup = i % 2 === 0;
      const sender = inGroup ? (i % 4 === 0 ? c : a) : i % 3 === 0 ? b : a;
      const message = await postText(host, sender, inGroup ? group.id : direct.id, `${word} ${i}`);
      sent.push(message.id);
      await pastMillisecondOf(message);
    }
    const newestFirst = [...sent].reverse();
    expect(await foundIds(host, a, { q: word, limit: 50 })).toEqual(newestFirst);

    const pages = await allPages(host, a, { q: word, limit: 3 });
    expect(pages.map((p) => p.length)).toEqual([3, 3, 2]);
    expect(pages.flat()).toEqual(newestFirst);

    // Messages sent while paging are newer than the cursor: later pages neither repeat nor skip.
    const late: string[] = [];
    const during = await allPages(
      host,
      a,
      { q: word, limit: 3 },
      {
        between: async () => {
          late.push((await postText(host, a, direct.id, `${word} late`)).id);
        },
        maxPages: 20,
      },
    );
    expect(during.flat()).toEqual(newestFirst);
    expect(await foundIds(host, a, { q: `${word} late`, limit: 50 })).toEqual([...late].reverse());
  });

  it('refuses a limit outside 1..50 and a cursor it did not give', async () => {
    const user = await host.createUser();
    for (const limit of ['0', '51', 'ten', '1.5']) {
      const res = await searchAs(host, user, { q: 'anything', limit });
      expect(res.status, limit).toBe(400);
      expect(res.body.error!.details!.map((d) => d.path)).toEqual(['/query/limit']);
    }
    expect((await searchAs(host, user, { q: 'anything', limit: 50 })).status).toBe(200);
    const other = Buffer.from(JSON.stringify(['x', 1])).toString('base64url');
    for (const cursor of ['garbage', other, Buffer.from('["p",1,"\\u0000",1]').toString('base64url')]) {
      const res = await searchAs(host, user, { q: 'anything', cursor });
      expect(res.status, cursor).toBe(400);
      expect(res.body.error!.details!.map((d) => d.path)).toEqual(['/query/cursor']);
    }
  });
});
