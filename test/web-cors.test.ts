import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildConfig } from '../host/config/load-config.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';

const ALLOWED = 'https://chat.example.com';
const OTHER = 'https://evil.example.net';

function preflight(host: TestHost, origin: string, path = '/v1/auth/login') {
  return fetch(`${host.url}${path}`, {
    method: 'OPTIONS',
    headers: {
      Origin: origin,
      'Access-Control-Request-Method': 'POST',
      'Access-Control-Request-Headers': 'authorization, content-type',
    },
  });
}

describe('CORS with http.cors.origins', () => {
  let host: TestHost;
  beforeAll(async () => {
    host = await startTestHost({ config: { http: { cors: { origins: [ALLOWED, 'http://localhost:5173'] } } } });
  });
  afterAll(() => host?.stop());

  it('a listed origin gets its own origin back on a real request, with the exposed headers', async () => {
    const user = await host.createUser();
    const res = await host.http('GET', '/v1/me', { token: user.token, headers: { Origin: ALLOWED } });
    expect(res.status).toBe(200);
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(res.headers.get('access-control-expose-headers')).toBe('X-Request-Id,Retry-After');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect(res.headers.get('vary')).toMatch(/Origin/);
  });

  it('error answers carry the headers too, so the page can read the error body', async () => {
    const res = await host.http('GET', '/v1/me', { headers: { Origin: ALLOWED } });
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
    expect(res.headers.get('access-control-allow-origin')).toBe(ALLOWED);
  });

  it('a preflight from a listed origin is answered 204 with the methods and headers the API uses', async () => {
    const res = await preflight(host, 'http://localhost:5173');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-methods')).toBe('GET,HEAD,POST,PUT,PATCH,DELETE');
    expect(res.headers.get('access-control-allow-headers')).toBe('Authorization,Content-Type,X-Request-Id');
    expect(res.headers.get('access-control-max-age')).toBe('600');
  });

  it('another origin gets no CORS header, on a real request or a preflight', async () => {
    const res = await host.http('POST', '/v1/auth/login', {
      body: { handle: 'nobody', password: 'wrong password' },
      headers: { Origin: OTHER },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await preflight(host, OTHER);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(pre.headers.get('access-control-allow-methods')).toBeNull();
    // A near miss is another origin: the list is exact.
    const near = await host.http('GET', '/healthz', { headers: { Origin: `${ALLOWED}:8443` } });
    expect(near.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS by default', () => {
  it('sends no CORS header at all, even to an origin another host would list', async () => {
    const host = await startTestHost();
    try {
      const res = await host.http('GET', '/healthz', { headers: { Origin: ALLOWED } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBeNull();
      expect(res.headers.get('vary')).toBeNull();
      const pre = await preflight(host, ALLOWED);
      expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    } finally {
      await host.stop();
    }
  });

  it('refuses an origin that is not an exact origin in the config', () => {
    expect(buildConfig().http.cors.origins).toEqual([]);
    for (const bad of ['https://chat.example.com/', 'chat.example.com', 'https://chat.example.com/app', '*']) {
      expect(() => buildConfig({ http: { cors: { origins: [bad] } } }), bad).toThrow(/\/http\/cors\/origins\/0/);
    }
  });
});
