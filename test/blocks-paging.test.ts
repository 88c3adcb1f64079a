/**
 * `GET /v1/me/blocks` a page at a time, as `GET /v1/conversations` is (docs/protocol.md, "Blocking
 * people"): `limit` 1–200 and `cursor` (the previous page's `nextCursor`), newest first, pages that
 * neither repeat nor skip anyone; without `limit`, the whole list as before. Bad parameters are
 * `invalid_request` naming them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { HttpApi } from '../sdk/client/index.js';

describe('listing whom I block, a page at a time', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost();
  });
  afterAll(async () => {
    await host?.stop();
  });

  it('pages the list newest first, each person once, and gives it whole without a limit', async () => {
    const me = await host.createUser();
    const others = await Promise.all(Array.from({ length: 5 }, () => host.createUser()));
    // Blocked at once, several in one millisecond: the id orders those, on every page alike.
    await Promise.all(others.map((o) => host.http('PUT', `/v1/me/blocks/${o.id}`, { token: me.token })));

    const whole = await host.http('GET', '/v1/me/blocks', { token: me.token });
    expect(whole.status).toBe(200);
    expect(whole.body.blocks).toHaveLength(5);
    expect(whole.body.nextCursor).toBeNull();

    const api = new HttpApi({ baseUrl: host.url, token: me.token });
    const pages = [];
    let cursor: string | undefined;
    do {
      const page = await api.blockPage({ limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      pages.push(page.blocks);
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(pages.flat()).toEqual(whole.body.blocks);

    // A page exactly full has no next one; the SDK's whole list is the host's.
    const exact = await host.http('GET', '/v1/me/blocks?limit=5', { token: me.token });
    expect([exact.body.blocks, exact.body.nextCursor]).toEqual([whole.body.blocks, null]);
    expect(await api.blocks()).toEqual(whole.body.blocks);
  });

  it('refuses a bad limit or cursor with invalid_request naming it', async () => {
    const me = await host.createUser();
    for (const [query, path] of [
      ['?limit=0', '/query/limit'],
      ['?limit=201', '/query/limit'],
      ['?limit=two', '/query/limit'],
      ['?cursor=nonsense', '/query/cursor'],
      ['?cursor=1&cursor=2', '/query/cursor'],
    ] as const) {
      const res = await host.http('GET', `/v1/me/blocks${query}`, { token: me.token });
      expect([query, res.status, res.body.error.code, res.body.error.details?.[0]?.path]).toEqual([
        query,
        400,
        'invalid_request',
        path,
      ]);
    }
  });
});
