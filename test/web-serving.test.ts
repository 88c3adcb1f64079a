import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { ensureWebBuilt, WEB_DIST } from './support/web-build.js';

const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'";

function expectSecurityHeaders(headers: Headers): void {
  expect(headers.get('content-security-policy')).toBe(CSP);
  expect(headers.get('x-content-type-options')).toBe('nosniff');
  expect(headers.get('referrer-policy')).toBe('no-referrer');
  expect(headers.get('x-frame-options')).toBe('DENY');
}

describe('serving the web client', () => {
  let host: TestHost;
  let indexHtml: string;

  beforeAll(async () => {
    await ensureWebBuilt();
    indexHtml = readFileSync(join(WEB_DIST, 'index.html'), 'utf8');
    host = await startTestHost();
  });
  afterAll(() => host?.stop());

  it('answers / and every page of the app with index.html, its security headers and no-cache', async () => {
    for (const path of ['/', '/login', '/register', '/c/0b9b2c6e-1f0e-4a53-9d56-3c4f1c9f1e11', '/agent', '/admin']) {
      const res = await fetch(`${host.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/html/);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expectSecurityHeaders(res.headers);
      expect(await res.text()).toBe(indexHtml);
    }
    const head = await fetch(`${host.url}/`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expectSecurityHeaders(head.headers);
  });

  it('builds an index.html with nothing inline: scripts and styles are files under /assets/', () => {
    const scripts = [...indexHtml.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/src="\/assets\/[^"]+\.js"/);
      expect(body!.trim()).toBe('');
    }
    expect(indexHtml).not.toMatch(/<style\b|\sstyle=/);
    expect(indexHtml).toMatch(/<link rel="stylesheet"[^>]* href="\/assets\/[^"]+\.css"/);
  });

  it('serves hashed assets for a year, immutable, with the same headers', async () => {
    const assets = [...indexHtml.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1]!);
    expect(assets.length).toBeGreaterThanOrEqual(2);
    for (const asset of assets) {
      const res = await fetch(`${host.url}${asset}`);
      expect(res.status, asset).toBe(200);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('content-type')).toMatch(asset.endsWith('.js') ? /javascript/ : /^text\/css/);
      expectSecurityHeaders(res.headers);
      await res.arrayBuffer();
    }
  });

  it('keeps unknown files, API paths and other methods as JSON errors', async () => {
    for (const path of ['/assets/nothing-here.js', '/favicon.ico', '/.build-hash', '/v1/nothing', '/plugins/none/x']) {
      const res = await host.http('GET', path);
      expect(res.status, path).toBe(404);
      expect(res.body.error.code, path).toBe('route_not_found');
      expect(res.headers.get('cache-control'), path).toBeNull();
      expect(res.headers.get('content-security-policy'), path).toBeNull();
    }
    const post = await host.http('POST', '/login', { body: {} });
    expect(post.status).toBe(404);
    expect(post.body.error.code).toBe('route_not_found');
    // The API's own answers are untouched.
    expect((await host.http('GET', '/healthz')).body).toEqual({ status: 'ok' });
    expect((await host.http('GET', '/v1/me')).body.error.code).toBe('unauthenticated');
  });

  it('serves the files of the public folder (the icon) with the headers, revalidated', async () => {
    const res = await fetch(`${host.url}/favicon.svg`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expectSecurityHeaders(res.headers);
    await res.arrayBuffer();
  });
});

describe('a host without a built web client', () => {
  it('starts, serves the API, and answers the pages 503 web_client_not_built', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'sb-web-empty-'));
    const host = await startTestHost({ config: { web: { root: empty } } });
    try {
      expect((await host.http('GET', '/healthz')).status).toBe(200);
      for (const path of ['/', '/login']) {
        const res = await host.http('GET', path);
        expect(res.status, path).toBe(503);
        expect(res.body.error.code).toBe('web_client_not_built');
        expect(res.body.error.message).toMatch(/npm run build:web/);
      }
      const asset = await host.http('GET', '/assets/index.js');
      expect(asset.status).toBe(404);
      expect(asset.body.error.code).toBe('route_not_found');
    } finally {
      await host.stop();
      rmSync(empty, { recursive: true, force: true });
    }
  });

  it('with web.enabled false, serves no app: / is an unknown path', async () => {
    const host = await startTestHost({ config: { web: { enabled: false } } });
    try {
      const res = await host.http('GET', '/');
      expect(res.status).toBe(404);
      expect(res.body.error.code).toBe('route_not_found');
    } finally {
      await host.stop();
    }
  });
});
