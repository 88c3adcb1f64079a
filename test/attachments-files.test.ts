/**
 * File URLs (GET /v1/files/:id?v&exp&sig): they work without an Authorization header until they
 * expire, refuse any change to their query, answer byte ranges, and describe the file safely.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { binaryBytes, fetchFile, movableClock, uploaded } from './support/attachment-helpers.js';
import { plainPng } from './support/image-fixtures.js';

describe('attachment file URLs', () => {
  let host: TestHost;
  let alice: TestUser;
  const clock = movableClock();

  beforeEach(async () => {
    host = await startTestHost({ clock, config: { attachments: { urlTtlSeconds: 300 } } });
    alice = await host.createUser();
  });
  afterEach(() => host.stop());

  it('serves the bytes without a token, with safe headers', async () => {
    const bytes = binaryBytes(2000);
    const up = await uploaded(host, alice, bytes, 'rapport d’été "final".bin');
    const file = await fetchFile(host, up.url);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(bytes)).toBe(true);
    expect(file.headers.get('content-type')).toBe('application/octet-stream');
    expect(file.headers.get('x-content-type-options')).toBe('nosniff');
    expect(file.headers.get('content-security-policy')).toBe('sandbox');
    expect(file.headers.get('accept-ranges')).toBe('bytes');
    expect(file.headers.get('cache-control')).toMatch(/^private, max-age=(29\d|300)$/);
    expect(file.headers.get('content-disposition')).toBe(
      `attachment; filename="rapport d__t_ _final_.bin"; filename*=UTF-8''rapport%20d%E2%80%99%C3%A9t%C3%A9%20%22final%22.bin`,
    );
    const text = await uploaded(host, alice, '<b>hi</b>', 'page.html');
    const page = await fetchFile(host, text.url);
    expect(page.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(page.headers.get('content-disposition')).toMatch(/^attachment;/);
  });

  it('serves images inline, and their thumbnail', async () => {
    const up = await uploaded(host, alice, await plainPng(400, 200), 'wide.png');
    expect(up.thumbnailUrl).toMatch(/^\/v1\/files\/.+v=thumbnail/);
    const image = await fetchFile(host, up.url);
    expect(image.headers.get('content-type')).toBe('image/png');
    expect(image.headers.get('content-disposition')).toMatch(/^inline; filename="wide.png"/);
    const thumb = await fetchFile(host, up.thumbnailUrl);
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toBe('image/webp');
    expect(thumb.bytes.subarray(8, 12).toString()).toBe('WEBP');
  });

  it('refuses an expired or altered URL with 403', async () => {
    const up = await uploaded(host, alice, binaryBytes(100), 'a.bin');
    const url = new URL(up.url, host.url);
    const altered = (name: string, value: string) => {
      const u = new URL(url);
      u.searchParams.set(name, value);
      return `${u.pathname}${u.search}`;
    };
    const other = await uploaded(host, alice, binaryBytes(100, 7), 'b.bin');
    const cases = [
      altered('exp', String(Number(url.searchParams.get('exp')) + 1000)),
      altered(
        'sig',
        url.searchParams.get('sig')!.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')),
      ),
      altered('v', 'thumbnail'),
      `/v1/files/${other.id}${url.search}`,
      url.pathname,
    ];
    for (const path of cases) {
      const res = await fetchFile(host, path);
      expect(res.status, path).toBe(403);
      expect(res.json.error.code).toBe('attachment_url_invalid');
    }
    expect((await fetchFile(host, up.url)).status).toBe(200);
    clock.advance(301_000);
    const expired = await fetchFile(host, up.url);
    expect(expired.status).toBe(403);
    expect(expired.json.error.message).toMatch(/expired/);
    // Fetching the attachment again gives a URL that works.
    const fresh = await host.http('GET', `/v1/attachments/${up.id}`, { token: alice.token });
    expect((await fetchFile(host, fresh.body.url)).status).toBe(200);
  });

  it('answers a Range with 206 and the exact bytes, and 416 past the end', async () => {
    const bytes = binaryBytes(600 * 1024, 5);
    const up = await uploaded(host, alice, bytes, 'video.bin');
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=100-199', 100, 199],
      // Across the PostgreSQL store's 256 KiB chunks.
      ['bytes=262000-524500', 262000, 524500],
      ['bytes=-10', bytes.length - 10, bytes.length - 1],
      ['bytes=614000-', 614000, bytes.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const res = await fetchFile(host, up.url, { range });
      expect(res.status, range).toBe(206);
      expect(res.headers.get('content-range')).toBe(`bytes ${start}-${end}/${bytes.length}`);
      expect(res.bytes.equals(bytes.subarray(start, end + 1)), range).toBe(true);
    }
    const past = await fetchFile(host, up.url, { range: `bytes=${bytes.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${bytes.length}`);
    expect(past.json.error.code).toBe('range_not_satisfiable');
    // A malformed Range is ignored: the whole file.
    const whole = await fetchFile(host, up.url, { range: 'bytes=abc' });
    expect(whole.status).toBe(200);
    expect(whole.bytes.length).toBe(bytes.length);
  });

  it('answers several ranges as multipart/byteranges, each part with its own Content-Range', async () => {
    const bytes = binaryBytes(600 * 1024, 7);
    const up = await uploaded(host, alice, bytes, 'document.bin');
    // Overlapping ranges are merged; the parts come in the file's order.
    const res = await fetchFile(host, up.url, { range: 'bytes=500000-500099, 0-9, 5-19, -4' });
    expect(res.status).toBe(206);
    const type = res.headers.get('content-type')!;
    const boundary = /^multipart\/byteranges; boundary=(\S+)$/.exec(type)?.[1];
    expect(boundary, type).toBeDefined();
    expect(Number(res.headers.get('content-length'))).toBe(res.bytes.length);
    const parts = res.bytes
      .toString('latin1')
      .split(`--${boundary}`)
      .slice(1, -1)
      .map((part) => {
        const [head, body] = part.split('\r\n\r\n');
        return { range: /Content-Range: (.*)/.exec(head!)![1], body: Buffer.from(body!.slice(0, -2), 'latin1') };
      });
    const expected = [
      [0, 19],
      [500000, 500099],
      [bytes.length - 4, bytes.length - 1],
    ];
    expect(parts.map((p) => p.range)).toEqual(expected.map(([a, b]) => `bytes ${a}-${b}/${bytes.length}`));
    parts.forEach((p, i) => expect(p.body.equals(bytes.subarray(expected[i]![0], expected[i]![1]! + 1))).toBe(true));
    expect(res.bytes.toString('latin1').endsWith(`--${boundary}--\r\n`)).toBe(true);

    // Past 16 ranges, the whole file instead.
    const many = Array.from({ length: 20 }, (_, i) => `${i * 1000}-${i * 1000 + 10}`).join(',');
    const whole = await fetchFile(host, up.url, { range: `bytes=${many}` });
    expect([whole.status, whole.bytes.length]).toEqual([200, bytes.length]);
  });
});
