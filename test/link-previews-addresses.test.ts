/**
 * Link previews never lead the host into its own network: a page on a private, loopback or
 * link-local address (an IP literal, or a name that resolves to one) is refused unless the
 * operator names its host in linkPreviews.allowHosts, and every redirect is checked again, so an
 * admitted or public page cannot redirect the host inside. The refused site never sees a request.
 */
import { describe, expect, it } from 'vitest';
import { capturedLogger } from './support/captured-logger.js';
import { askPreview, html, previewSuite } from './support/link-preview-helpers.js';
import { redirectTo } from './support/page-server.js';

describe('link previews: addresses', { timeout: 60_000 }, () => {
  const captured = capturedLogger();
  const suite = previewSuite({}, { logger: captured.logger });

  it('refuses a page on 127.0.0.1, localhost or another non-public address the operator did not admit', async () => {
    const { host, other, ada } = suite;
    other.page('/secret', html('<title>Inside</title>'));
    for (const url of [
      other.url('/secret'),
      `http://localhost:${other.port}/secret`,
      `http://[::1]:${other.port}/secret`,
      `http://[::ffff:127.0.0.1]:${other.port}/secret`,
      'http://169.254.169.254/latest/meta-data/',
      'http://10.0.0.1/',
    ]) {
      const res = await askPreview(host, ada, url);
      expect(res.status, url).toBe(502);
      expect(res.body.error.code, url).toBe('link_preview_unavailable');
      expect(res.body.error.message, url).toMatch(/address is not public/);
      // Nothing names the address a name resolved to.
      expect(res.body.error.message, url).not.toMatch(/127\.0\.0\.1|::1/);
    }
    expect(other.counts('/secret').requests).toBe(0);
    // A page without a preview is an answer, not a failure of the host: no error line for each.
    expect(captured.lines.filter((l) => l.level >= 50)).toEqual([]);
  });

  it('previews a page on a private address once the operator names its host and port', async () => {
    const { host, site, ada } = suite;
    site.page('/intranet', html('<title>Intranet</title>'));
    const res = await askPreview(host, ada, site.url('/intranet'));
    expect(res.status).toBe(200);
    expect(res.body.title).toBe('Intranet');
  });

  it('follows up to 3 redirects, resolving each against the last', async () => {
    const { host, site, ada } = suite;
    site.route('/hop1', redirectTo(site.url('/hop2'), 301));
    site.route('/hop2', redirectTo('hop3', 307));
    site.route('/hop3', redirectTo('/landing', 303));
    site.page('/landing', html('<title>Landed</title><meta property="og:image" content="pictures/none.png">'));
    const res = await askPreview(host, ada, site.url('/hop1'));
    expect(res.status).toBe(200);
    // The card links to the page asked about; the picture's URL was resolved against the last page.
    expect(res.body).toMatchObject({ url: site.url('/hop1'), title: 'Landed', image: null });
    expect(site.counts('/pictures/none.png').requests).toBe(1);
    for (const path of ['/hop1', '/hop2', '/hop3', '/landing']) expect(site.counts(path).requests, path).toBe(1);

    site.route('/loop1', redirectTo('/loop2'));
    site.route('/loop2', redirectTo('/loop3'));
    site.route('/loop3', redirectTo('/loop4'));
    site.route('/loop4', redirectTo('/landing'));
    const loop = await askPreview(host, ada, site.url('/loop1'));
    expect(loop.status).toBe(502);
    expect(loop.body.error).toMatchObject({ code: 'link_preview_unavailable' });
    expect(loop.body.error.message).toMatch(/redirects more than 3 times/);
    // The fourth redirect is not followed.
    expect(site.counts('/loop4').requests).toBe(1);
    expect(site.counts('/landing').requests).toBe(1);
  });

  it('checks every redirect again: an admitted page cannot send the host to one that is not', async () => {
    const { host, site, other, ada } = suite;
    other.page('/admin', html('<title>Router admin</title>'));
    site.route('/to-other', redirectTo(other.url('/admin')));
    site.route('/to-localhost', redirectTo(`http://localhost:${other.port}/admin`));
    site.route('/to-metadata', redirectTo('http://169.254.169.254/latest/meta-data/'));
    site.route('/to-file', redirectTo('file:///etc/passwd'));
    for (const path of ['/to-other', '/to-localhost', '/to-metadata', '/to-file']) {
      const res = await askPreview(host, ada, site.url(path));
      expect(res.status, path).toBe(502);
      expect(res.body.error.code, path).toBe('link_preview_unavailable');
      expect(site.counts(path).requests, path).toBe(1);
    }
    expect(other.counts('/admin').requests).toBe(0);
  });

  it('fetches an og:image under the same rules', async () => {
    const { host, site, other, ada } = suite;
    other.page('/inside.png', Buffer.from('not fetched'), 'image/png');
    site.page('/peek', html(`<title>Peek</title><meta property="og:image" content="${other.url('/inside.png')}">`));
    const res = await askPreview(host, ada, site.url('/peek'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ title: 'Peek', image: null });
    expect(other.counts('/inside.png').requests).toBe(0);
  });
});
