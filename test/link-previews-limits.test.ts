/**
 * What link previews take from a site and give a client: only HTML pages with something to show,
 * at most 512 KiB of one (the head is at its start), within 5 s; a page fetched once for the
 * requests that come together and kept for later ones; fetches limited per user; a URL that is
 * not an absolute http(s) one refused before anything is fetched.
 */
import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { eventually } from './support/eventually.js';
import { askPreview, html, previewSuite } from './support/link-preview-helpers.js';
import { scrape } from './support/metrics-helpers.js';
import type { PageHandler } from './support/page-server.js';

/** A page that starts with `start` and then never ends, sent as fast as the reader takes it. */
function endless(start: string): PageHandler {
  return (_req, res) => {
    res.on('error', () => {});
    res.writeHead(200, { 'content-type': 'text/html' });
    res.write(start);
    const filler = Buffer.alloc(64 * 1024, 'x');
    const pump = () => {
      while (!res.destroyed && res.write(filler));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  };
}

describe('link previews: what is fetched', { timeout: 60_000 }, () => {
  const suite = previewSuite({ linkPreviews: { fetchLimit: { requests: 1000, windowSeconds: 60 } } });

  it('refuses answers that are not HTML pages, error statuses, and pages with nothing to show', async () => {
    const { host, site, ada } = suite;
    site.page('/data.json', '{"title":"no"}', 'application/json');
    site.page('/untitled', html('<meta name="viewport" content="width=device-width">'));
    site.route('/broken', (_req, res) => {
      res.writeHead(500, { 'content-type': 'text/html' });
      res.end(html('<title>Error</title>'));
    });
    for (const [path, why] of [
      ['/data.json', /of type application\/json, not an HTML page/],
      ['/untitled', /no title or description/],
      ['/broken', /answered HTTP 500/],
      ['/missing', /answered HTTP 404/],
    ] as const) {
      const res = await askPreview(host, ada, site.url(path));
      expect(res.status, path).toBe(502);
      expect(res.body.error.code, path).toBe('link_preview_unavailable');
      expect(res.body.error.message, path).toMatch(why);
    }
  });

  it('reads at most 512 KiB of an endless page, then lets go of it', async () => {
    const { host, site, ada } = suite;
    site.route('/endless', endless('<html><head><title>Endless</title><!-- '));
    site.route('/endless-untitled', endless('<html><head><!-- '));
    const res = await askPreview(host, ada, site.url('/endless'));
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('Endless');
    const untitled = await askPreview(host, ada, site.url('/endless-untitled'));
    expect(untitled.status).toBe(502);
    // The host closed both connections: the site stops sending.
    await eventually(() => site.counts('/endless').closed === 1 && site.counts('/endless-untitled').closed === 1, {
      what: 'the endless pages to be let go',
    });
  });

  it('gives up on a site that does not answer within 5 s', async () => {
    const { host, site, ada } = suite;
    site.route('/stall', () => {});
    const res = await askPreview(host, ada, site.url('/stall'));
    expect(res.status).toBe(502);
    expect(res.body.error.message).toMatch(/did not answer within 5 s/);
    await eventually(() => site.counts('/stall').closed === 1, { what: 'the stalled request to be closed' });
  });

  it('fetches a page once for requests that come together, and keeps the answer', async () => {
    const { host, site, ada } = suite;
    const bob = await host.createUser({ displayName: 'Bob' });
    const held: ServerResponse[] = [];
    site.route('/slow', (_req, res) => void held.push(res));
    const joined = async () =>
      (await scrape(host)).samples.get('switchboard_link_previews_total{source="joined"}') ?? 0;
    const joinedBefore = await joined();
    const asked = [askPreview(host, ada, site.url('/slow')), askPreview(host, bob, site.url('/slow'))];
    // Both requests are in: one fetching the page, the other waiting for that fetch.
    await eventually(async () => held.length === 1 && (await joined()) === joinedBefore + 1, {
      what: 'the second request to join the first one’s fetch',
    });
    for (const res of held) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(html('<title>Slow but once</title>'));
    }
    const answers = await Promise.all(asked);
    expect(answers.map((a) => [a.status, a.body.title])).toEqual([
      [200, 'Slow but once'],
      [200, 'Slow but once'],
    ]);
    // Later, with a fragment too (it never reaches the site): the kept answer.
    expect((await askPreview(host, ada, `${site.url('/slow')}#later`)).body.title).toBe('Slow but once');
    expect(site.counts('/slow').requests).toBe(1);
    const { samples } = await scrape(host);
    expect(samples.get('switchboard_link_previews_total{source="cached"}')).toBeGreaterThanOrEqual(1);
  });

  it('refuses a URL that is not an absolute http(s) one, and callers without a token', async () => {
    const { host, ada } = suite;
    for (const url of [
      '',
      'example.com/page',
      'ftp://example.com/',
      'javascript:alert(1)',
      'http://ada:secret@example.com/',
      `https://example.com/${'a'.repeat(2048)}`,
    ]) {
      const res = await askPreview(host, ada, url);
      expect(res.status, url).toBe(400);
      expect(res.body.error.code, url).toBe('invalid_request');
      expect(res.body.error.details, url).toEqual([{ path: '/query/url', message: expect.any(String) }]);
    }
    const twice = await host.http('GET', '/v1/link-preview?url=http://a.example/&url=http://b.example/', {
      token: ada.token,
    });
    expect(twice.status).toBe(400);
    const anonymous = await host.http('GET', `/v1/link-preview?url=${encodeURIComponent('https://example.com/')}`);
    expect([anonymous.status, anonymous.body.error.code]).toEqual([401, 'unauthenticated']);
  });
});

describe('link previews: fetches per user', { timeout: 60_000 }, () => {
  const suite = previewSuite({ linkPreviews: { fetchLimit: { requests: 2, windowSeconds: 600 } } });

  it('limits the pages fetched for one user, not the answers the host has kept', async () => {
    const { host, site, ada } = suite;
    for (const n of [1, 2, 3]) site.page(`/page${n}`, html(`<title>Page ${n}</title>`));
    expect((await askPreview(host, ada, site.url('/page1'))).status).toBe(200);
    expect((await askPreview(host, ada, site.url('/page2'))).status).toBe(200);
    const third = await askPreview(host, ada, site.url('/page3'));
    expect(third.status).toBe(429);
    expect(third.body.error.code).toBe('rate_limited');
    expect(site.counts('/page3').requests).toBe(0);
    // Kept answers are still given; someone else's fetches are theirs.
    expect((await askPreview(host, ada, site.url('/page1'))).body.title).toBe('Page 1');
    const bob = await host.createUser({ displayName: 'Bob' });
    expect((await askPreview(host, bob, site.url('/page3'))).body.title).toBe('Page 3');
  });
});
