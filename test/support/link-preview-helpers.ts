/**
 * Shared by the link-preview suites: a host that previews the pages of a local site (admitted by
 * `linkPreviews.allowHosts`, since 127.0.0.1 is not a public address), and asking it for one.
 */
import { afterAll, beforeAll } from 'vitest';
import type { DeepPartial, HostConfig } from '../../host/config/host-config.js';
import { METRICS_TOKEN } from './metrics-helpers.js';
import type { Logger } from '../../host/logging/logger.js';
import { startPageServer, type PageServer } from './page-server.js';
import { startTestHost, type HttpResult, type TestHost, type TestUser } from './start-test-host.js';

export interface PreviewSuite {
  readonly host: TestHost;
  /** The site the host may preview. */
  readonly site: PageServer;
  /** Another site on 127.0.0.1, not admitted. */
  readonly other: PageServer;
  readonly ada: TestUser;
}

/** Starts the sites, then a host admitting `site` (by its port) with `config` on top; stops them after the suite. */
export function previewSuite(config: DeepPartial<HostConfig> = {}, options: { logger?: Logger } = {}): PreviewSuite {
  let suite: PreviewSuite | undefined;
  beforeAll(async () => {
    const [site, other] = await Promise.all([startPageServer(), startPageServer()]);
    const host = await startTestHost({
      ...options,
      config: {
        metrics: { token: METRICS_TOKEN },
        ...config,
        linkPreviews: { enabled: true, allowHosts: [`127.0.0.1:${site.port}`], ...config.linkPreviews },
      },
    });
    suite = { host, site, other, ada: await host.createUser({ displayName: 'Ada' }) };
  });
  afterAll(async () => {
    await suite?.host.stop();
    await Promise.all([suite?.site.close(), suite?.other.close()]);
  });
  return {
    get host() {
      return suite!.host;
    },
    get site() {
      return suite!.site;
    },
    get other() {
      return suite!.other;
    },
    get ada() {
      return suite!.ada;
    },
  };
}

/** GET /v1/link-preview for `url` as `user`. */
export function askPreview(host: TestHost, user: TestUser, url: string): Promise<HttpResult> {
  return host.http('GET', `/v1/link-preview?url=${encodeURIComponent(url)}`, { token: user.token });
}

/** A page whose head holds `head`, and a body after it. */
export function html(head: string, body = '<p>The page itself.</p>'): string {
  return `<!doctype html><html><head><meta charset="utf-8">${head}</head><body>${body}</body></html>`;
}
