/**
 * A message that links to a web page shows the page's preview card under its text, as in every
 * messenger: picture, site, title and description, the whole card a link to the page that opens
 * apart. The host fetched the page and made the picture, so the reader's browser asks the page's
 * site for nothing. A page without a preview, a link inside code, and a host with previews turned
 * off give no card (and the browser does not even ask a host that has them off).
 */
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seriousAxeViolations } from './support/axe.js';
import { chromiumMissing } from './support/browser.js';
import { html } from './support/link-preview-helpers.js';
import { startPageServer, type PageServer } from './support/page-server.js';
import { adaBobAndCarolIn, chatSuite, messageItem, openAs, openConversation, postTexts } from './support/web-chat.js';

let site: PageServer;
beforeAll(async () => {
  site = await startPageServer();
  const picture = await sharp({ create: { width: 800, height: 420, channels: 3, background: '#2a9d8f' } })
    .jpeg()
    .toBuffer();
  site.page('/pictures/engine.jpg', picture, 'image/jpeg');
  site.page(
    '/engine',
    html(
      '<title>Fallback title</title>' +
        '<meta property="og:title" content="The Analytical Engine">' +
        '<meta property="og:description" content="A general-purpose mechanical computer, designed in 1837.">' +
        '<meta property="og:site_name" content="Computing History">' +
        '<meta property="og:image" content="/pictures/engine.jpg">',
    ),
  );
});
afterAll(() => site?.close());

describe.skipIf(chromiumMissing)('web client: link previews', { timeout: 120_000 }, () => {
  // Admitted by name (any port): the test's site is on 127.0.0.1, which is not a public address.
  const suite = chatSuite({ config: { linkPreviews: { enabled: true, allowHosts: ['127.0.0.1'] } } });

  it("shows the linked page's card under the message, made by the host, readable in the dark theme", async () => {
    const { host, browser } = suite;
    const { ada, bob, carol, group } = await adaBobAndCarolIn(host, 'History club');
    const a = await openAs(browser, host, ada);
    const asked: string[] = [];
    a.page.on('request', (request) => void asked.push(request.url()));
    await openConversation(a.page, host, group.id);
    const page = site.url('/engine');
    await postTexts(host, bob, group.id, [
      `Read \`${site.url('/missing')}\` later, but see ${page} first, then ${site.url('/other')}.`,
    ]);

    const card = messageItem(a.page, /see http/).locator('a.link-preview');
    await card.waitFor();
    expect(
      await card.evaluate((el: any) => ({ href: el.getAttribute('href'), target: el.target, rel: el.rel })),
    ).toEqual({
      href: page,
      target: '_blank',
      rel: 'noopener noreferrer nofollow ugc',
    });
    expect(await card.locator('.link-preview-site').innerText()).toBe('Computing History');
    expect(await card.locator('.link-preview-title').innerText()).toBe('The Analytical Engine');
    expect(await card.locator('.link-preview-description').innerText()).toBe(
      'A general-purpose mechanical computer, designed in 1837.',
    );
    const image = card.locator('img.link-preview-image');
    expect(await image.getAttribute('src')).toMatch(/^data:image\/webp;base64,/);
    expect(await image.evaluate((img: any) => img.complete && img.naturalWidth)).toBe(400);
    // One card, for the first link outside code; the page and its picture were fetched by the host, once.
    expect(
      await messageItem(a.page, /see http/)
        .locator('a.link-preview')
        .count(),
    ).toBe(1);
    expect([site.counts('/engine').requests, site.counts('/pictures/engine.jpg').requests]).toEqual([1, 1]);
    expect(site.counts('/missing').requests).toBe(0);
    expect(asked.filter((url) => url.includes(`:${site.port}/`))).toEqual([]);
    expect(await seriousAxeViolations(a.page)).toEqual([]);
    expect(a.problems.all).toEqual([]);

    // Carol, in the dark: the same card from the host's cache, readable.
    const c = await openAs(browser, host, carol, { colorScheme: 'dark' });
    await openConversation(c.page, host, group.id);
    await messageItem(c.page, /see http/)
      .locator('a.link-preview .link-preview-title')
      .waitFor();
    expect(await seriousAxeViolations(c.page)).toEqual([]);
    expect(site.counts('/engine').requests).toBe(1);
    expect(c.problems.all).toEqual([]);
  });

  it('shows no card for a page that has no preview', async () => {
    const { host, browser } = suite;
    const { ada, bob, group } = await adaBobAndCarolIn(host, 'No previews');
    site.page('/untitled', html(''));
    await postTexts(host, bob, group.id, [`Nothing to show at ${site.url('/untitled')}`, 'Next message']);
    const a = await openAs(browser, host, ada);
    await openConversation(a.page, host, group.id);
    await messageItem(a.page, 'Next message').waitFor();
    // The host was asked and answered that the page gives none.
    await expect.poll(() => site.counts('/untitled').requests).toBe(1);
    await expect.poll(() => a.problems.all.filter((line) => line.includes('status of 502')).length).toBe(1);
    expect(await a.page.locator('a.link-preview').count()).toBe(0);
    // Only the browser's own note of the 502 answer; nothing went wrong in the page.
    expect(a.problems.all.filter((line) => !line.includes('status of 502'))).toEqual([]);
  });
});

describe.skipIf(chromiumMissing)('web client: link previews turned off', { timeout: 120_000 }, () => {
  const suite = chatSuite({ config: { linkPreviews: { enabled: false, allowHosts: ['127.0.0.1'] } } });

  it('shows no card and asks nothing when the host does not offer previews', async () => {
    const { host, browser } = suite;
    const { ada, bob, group } = await adaBobAndCarolIn(host, 'Off');
    const a = await openAs(browser, host, ada);
    const asked: string[] = [];
    a.page.on('request', (request) => void asked.push(request.url()));
    await openConversation(a.page, host, group.id);
    await postTexts(host, bob, group.id, [`Look at ${site.url('/engine')} please`]);
    await messageItem(a.page, 'Look at').waitFor();
    expect(await a.page.locator('a.link-preview').count()).toBe(0);
    expect(asked.filter((url) => url.includes('/v1/link-preview'))).toEqual([]);
    expect(a.problems.all).toEqual([]);
    // Off indeed: asked anyway, the host says so.
    const res = await host.http('GET', `/v1/link-preview?url=${encodeURIComponent(site.url('/engine'))}`, {
      token: ada.token,
    });
    expect(res.body.error.code).toBe('link_previews_disabled');
  });
});
