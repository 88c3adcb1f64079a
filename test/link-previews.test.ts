/**
 * GET /v1/link-preview reads a linked page as preview cards show it: its Open Graph tags, else its
 * <title> and description, as plain bounded text in the page's own encoding, and its og:image as
 * a small WebP inline (so a reader's browser loads nothing from the site). The pages are served by
 * a real HTTP server on 127.0.0.1, admitted by linkPreviews.allowHosts.
 */
import { gzipSync } from 'node:zlib';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { ClientError, HttpApi, type LinkPreview } from '../sdk/client/index.js';
import { plainPng, pngBomb } from './support/image-fixtures.js';
import { askPreview, html, previewSuite } from './support/link-preview-helpers.js';

describe('link previews: reading pages', { timeout: 60_000 }, () => {
  const suite = previewSuite();

  it("reads a page's Open Graph tags, entities decoded and white space collapsed", async () => {
    const { host, site, ada } = suite;
    site.page(
      '/launch',
      html(
        '<title>Not this one</title>' +
          '<meta property="og:title" content="Ada &amp; Bob&#8217;s\n   launch">' +
          '<meta property="og:description" content="  Engines, &lt;cards&gt; and   more. ">' +
          '<meta property="og:site_name" content="Analytical &eacute;ngines">' +
          '<meta name="description" content="Not this one either">',
      ),
    );
    const res = await askPreview(host, ada, `${site.url('/launch')}#section-2`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      url: site.url('/launch'),
      siteName: 'Analytical éngines',
      title: 'Ada & Bob’s launch',
      description: 'Engines, <cards> and more.',
      image: null,
    });
  });

  it('falls back to <title> and <meta name="description">, and bounds long texts', async () => {
    const { host, site, ada } = suite;
    const long = 'word '.repeat(500);
    site.page('/plain', html(`<title>\n  A plain   page \n</title><meta name="description" content="${long}">`));
    site.page('/long', html(`<title>${'t'.repeat(400)}</title>`));
    const plain = await askPreview(host, ada, site.url('/plain'));
    expect(plain.status).toBe(200);
    expect(plain.body.title).toBe('A plain page');
    expect(plain.body.siteName).toBeNull();
    expect([...plain.body.description].length).toBe(1000);
    expect(plain.body.description).toMatch(/^word word .*…$/);
    const cut = await askPreview(host, ada, site.url('/long'));
    expect(cut.body.title).toBe(`${'t'.repeat(299)}…`);
    expect(cut.body.description).toBeNull();
  });

  it('reads a page in its own encoding, compressed or not', async () => {
    const { host, site, ada } = suite;
    // Declared by the Content-Type, by a <meta charset> alone, and gzip-compressed.
    site.page(
      '/latin1',
      Buffer.from('<html><head><title>Caf\u00e9 cr\u00e8me</title></head></html>', 'latin1'),
      'text/html; charset=ISO-8859-1',
    );
    site.page(
      '/meta-charset',
      Buffer.concat([
        Buffer.from('<html><head><meta charset="windows-1252"><title>'),
        Buffer.from([0x93, 0x71, 0x94, 0x20, 0x80]),
        Buffer.from('</title></head></html>'),
      ]),
      'text/html',
    );
    site.route('/gzip', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-encoding': 'gzip' });
      res.end(gzipSync(html('<title>Squeezed ✓</title>')));
    });
    expect((await askPreview(host, ada, site.url('/latin1'))).body.title).toBe('Café crème');
    expect((await askPreview(host, ada, site.url('/meta-charset'))).body.title).toBe('“q” €');
    expect((await askPreview(host, ada, site.url('/gzip'))).body.title).toBe('Squeezed ✓');
  });

  it("makes a small WebP of the page's og:image, inline as a data: URL", async () => {
    const { host, site, ada } = suite;
    const wide = await sharp({ create: { width: 1200, height: 600, channels: 3, background: '#3060c0' } })
      .png()
      .toBuffer();
    site.page('/pictures/wide.png', wide, 'image/png');
    // Relative to the page, as some sites write it.
    site.page(
      '/article',
      html('<meta property="og:title" content="Wide"><meta property="og:image" content="/pictures/wide.png">'),
    );
    const res = await askPreview(host, ada, site.url('/article'));
    expect(res.status).toBe(200);
    const { url, width, height } = res.body.image;
    expect({ width, height }).toEqual({ width: 400, height: 200 });
    expect(url).toMatch(/^data:image\/webp;base64,[A-Za-z0-9+/]+=*$/);
    const thumbnail = await sharp(Buffer.from(url.slice(url.indexOf(',') + 1), 'base64')).metadata();
    expect([thumbnail.format, thumbnail.width, thumbnail.height]).toEqual(['webp', 400, 200]);
    expect(site.counts('/pictures/wide.png').requests).toBe(1);
  });

  it('leaves out a picture over 5 MiB, an image bomb, an SVG or no image at all, and stays well', async () => {
    const { host, site, ada } = suite;
    site.page('/bomb.png', pngBomb(), 'image/png');
    site.page('/drawing.svg', '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', 'image/svg+xml');
    site.page('/not-an-image', html('<title>HTML</title>'));
    // Over 5 MiB, said up front or not (sent in chunks, the host stops reading past it).
    const huge = Buffer.concat([await plainPng(8, 8), Buffer.alloc(6 * 1024 * 1024)]);
    site.page('/huge.png', huge, 'image/png');
    site.route('/huge-chunked.png', (_req, res) => {
      res.on('error', () => {});
      res.writeHead(200, { 'content-type': 'image/png' });
      for (let i = 0; i < 6; i++) res.write(Buffer.alloc(1024 * 1024));
      res.end();
    });
    for (const [page, image] of [
      ['/with-huge', '/huge.png'],
      ['/with-huge-chunked', '/huge-chunked.png'],
      ['/with-bomb', '/bomb.png'],
      ['/with-svg', '/drawing.svg'],
      ['/with-html', '/not-an-image'],
    ] as const) {
      site.page(page, html(`<title>Page ${page}</title><meta property="og:image" content="${site.url(image)}">`));
      const res = await askPreview(host, ada, site.url(page));
      expect(res.status, page).toBe(200);
      expect(res.body, page).toMatchObject({ title: `Page ${page}`, image: null });
    }
    // The bomb was fetched (a few kilobytes) and refused from its header: the host still makes pictures.
    expect(site.counts('/bomb.png').requests).toBe(1);
    const small = await sharp({ create: { width: 40, height: 30, channels: 3, background: '#c03030' } })
      .jpeg()
      .toBuffer();
    site.page('/small.jpg', small, 'image/jpeg');
    site.page('/after', html(`<title>After</title><meta property="og:image" content="${site.url('/small.jpg')}">`));
    const after = await askPreview(host, ada, site.url('/after'));
    expect(after.body.image).toMatchObject({ width: 40, height: 30 });
  });

  it("is the client library's linkPreview(url), typed, failing with the catalog's code", async () => {
    const { host, site, ada } = suite;
    site.page(
      '/typed',
      html('<meta property="og:title" content="Typed"><meta property="og:site_name" content="Site">'),
    );
    const api = new HttpApi({ baseUrl: host.url, token: ada.token });
    const preview: LinkPreview = await api.linkPreview(site.url('/typed'));
    expect(preview).toEqual({
      url: site.url('/typed'),
      siteName: 'Site',
      title: 'Typed',
      description: null,
      image: null,
    });
    const refused = await api.linkPreview(site.url('/nothing-here')).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ClientError);
    expect(refused).toMatchObject({ code: 'link_preview_unavailable', status: 502 });
  });
});
