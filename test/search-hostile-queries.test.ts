/**
 * A query is free text, never syntax: FTS5 and tsquery operators, quotes, odd Unicode and
 * parameters repeated or missing answer 200 (with what the words find) or 400 invalid_request
 * with details, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { postText, searchAs, uniqueWord } from './support/search-helpers.js';

const HOSTILE = [
  'a"b',
  '"',
  '""',
  "'",
  "a'b",
  "''''",
  'NEAR(',
  'NEAR(a b, 2)',
  'a NEAR b',
  '*',
  'a*',
  '* a',
  '-',
  '-a',
  'a -b',
  ':',
  'a:b',
  'content:a',
  '{content}: a',
  '^a',
  'a AND OR NOT b',
  'OR',
  'NOT',
  '(',
  ')',
  'a) OR (b',
  '!a & b | c',
  "a:* & 'b':*",
  '<->',
  'a <-> b',
  'a <2> b',
  '\\',
  'a\\',
  "\\'",
  '%_',
  '?',
  '$1',
  ';drop table messages;--',
  '\u200b',
  '\u0301',
  'e\u0301',
  '\ufeffa',
  '😀',
  'a😀b',
  '𝔘𝔫𝔦𝔠𝔬𝔡𝔢',
  '東京タワー',
  'مرحبا',
  'ǅ',
  'İstanbul',
  'ß',
  'x'.repeat(256),
  `${'ab '.repeat(16)}`,
];

describe('search: hostile queries', () => {
  let host: TestHost;
  let user: TestUser;
  let conversationId: string;
  let word: string;
  beforeAll(async () => {
    host = await startTestHost();
    const [a, b] = await Promise.all([host.createUser(), host.createUser()]);
    user = a;
    conversationId = (await host.direct(a, b)).id;
    word = uniqueWord();
    await postText(host, a, conversationId, `${word} NEAR content a b "quoted" 'single' 東京タワー 😀 e\u0301`);
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('answers 200 or 400 invalid_request to operators, quotes and odd Unicode, never 500', async () => {
    const asked = HOSTILE.flatMap((q) => [{ q }, { q: `${word} ${q}` }, { q, conversationId }]);
    // All at once: the host must also hold up under many odd queries together.
    const answers = await Promise.all(asked.map((params) => searchAs(host, user, params)));
    answers.forEach((res, i) => {
      expect([200, 400], `${JSON.stringify(asked[i])}: ${JSON.stringify(res.body)}`).toContain(res.status);
      if (res.status === 400) expect(res.body.error!.code).toBe('invalid_request');
      else expect(Array.isArray(res.body.results)).toBe(true);
    });
  });

  it('reads operators as words: the message with those words is found', async () => {
    for (const q of [
      `${word} NEAR(content`,
      `"${word}" -a`,
      `${word} a:b`,
      `${word}* NEAR "quoted"`,
      `(${word}) 東京タワー`,
    ]) {
      const res = await searchAs(host, user, { q });
      expect(res.status, q).toBe(200);
      expect(res.body.results.length, q).toBe(1);
    }
  });

  it('takes AND, OR, NOT and NEAR as words to find, not operators, nor words to drop', async () => {
    const found = async (q: string) => {
      const res = await searchAs(host, user, { q });
      expect(res.status, q).toBe(200);
      return res.body.results.length;
    };
    // The message has the word NEAR, and none of and, or, not.
    expect(await found(`${word} near content `)).toBe(1);
    for (const op of ['AND', 'OR', 'NOT']) expect(await found(`${word} ${op} content `), op).toBe(0);
  });

  it('refuses a query that is missing, empty, has no words, or is too long or too wordy', async () => {
    const max = host.config.search;
    const cases: [Record<string, string>, string][] = [
      [{}, '/query/q'],
      [{ q: '' }, '/query/q'],
      [{ q: '   ' }, '/query/q'],
      [{ q: '"*"-:()' }, '/query/q'],
      [{ q: 'x'.repeat(max.maxQueryLength + 1) }, '/query/q'],
      [{ q: 'ab '.repeat(max.maxWords + 1) }, '/query/q'],
    ];
    for (const [params, path] of cases) {
      const res = await searchAs(host, user, params);
      expect(res.status, JSON.stringify(params)).toBe(400);
      expect(res.body.error!.code).toBe('invalid_request');
      expect(res.body.error!.details!.map((d) => d.path)).toEqual([path]);
    }
    const repeated = await host.http('GET', `/v1/search?q=a&q=b`, { token: user.token });
    expect(repeated.status).toBe(400);
    expect(repeated.body.error.details.map((d: { path: string }) => d.path)).toEqual(['/query/q']);
    // U+0000 and broken UTF-8 are refused by the host's URL rules before search sees them.
    for (const raw of ['%00', '%FF', '%ED%A0%80']) {
      const res = await host.http('GET', `/v1/search?q=a${raw}`, { token: user.token });
      expect(res.status, raw).toBe(400);
    }
  });
});
