/**
 * Link previews are on unless the operator turns them off (linkPreviews.enabled): then the route
 * answers link_previews_disabled and fetches nothing, and the `ready` frame tells clients so, so
 * that they do not ask at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../host/config/load-config.js';
import { askPreview, html } from './support/link-preview-helpers.js';
import { startPageServer, type PageServer } from './support/page-server.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';

describe('link previews: turned off', { timeout: 60_000 }, () => {
  let site: PageServer;
  let off: TestHost;
  let on: TestHost;
  beforeAll(async () => {
    site = await startPageServer();
    const allowHosts = [`127.0.0.1:${site.port}`];
    [off, on] = await Promise.all([
      startTestHost({ config: { linkPreviews: { enabled: false, allowHosts } } }),
      startTestHost({ config: { linkPreviews: { enabled: true, allowHosts } } }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([off?.stop(), on?.stop()]);
    await site?.close();
  });

  it('are on by default, admitting no private host', () => {
    expect(resolveConfig({}).linkPreviews).toEqual({
      enabled: true,
      allowHosts: [],
      fetchLimit: { requests: 60, windowSeconds: 60 },
    });
  });

  it('answers link_previews_disabled and fetches nothing when the operator turned them off', async () => {
    site.page('/page', html('<title>A page</title>'));
    const ada = await off.createUser();
    for (const url of [site.url('/page'), 'not even a URL']) {
      const res = await askPreview(off, ada, url);
      expect(res.status, url).toBe(404);
      expect(res.body.error.code, url).toBe('link_previews_disabled');
    }
    expect(site.counts('/page').requests).toBe(0);
    // Still only for signed-in users.
    expect((await off.http('GET', '/v1/link-preview?url=x')).status).toBe(401);
    // The same page from a host with previews on.
    const bob = await on.createUser();
    expect((await askPreview(on, bob, site.url('/page'))).body.title).toBe('A page');
  });

  it('says in the ready frame whether the host offers previews', async () => {
    const [ada, bob] = await Promise.all([off.createUser(), on.createUser()]);
    const [a, b] = await Promise.all([off.connect(ada.token), on.connect(bob.token)]);
    const ready = (socket: typeof a) => socket.frames.find((f) => f.type === 'ready');
    expect(ready(a)?.features).toEqual({ linkPreviews: false });
    expect(ready(b)?.features).toEqual({ linkPreviews: true });
  });
});
