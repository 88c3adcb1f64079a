/**
 * Input rules for HTTP methods and paths: a wrong method is a JSON 405 with Allow (also for
 * methods no route uses), and unknown paths answer the JSON 404 shape whatever the method.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { inputRulesConfig } from './support/input-rules-helpers.js';

describe('input rules', () => {
  let host: TestHost;
  let ada: TestUser;
  beforeAll(async () => {
    host = await startTestHost({ config: inputRulesConfig });
    ada = await host.createUser();
  });
  afterAll(async () => {
    await host?.stop();
  });

  describe('methods and unknown paths', () => {
    it('a wrong method on an existing path: 405 method_not_allowed as JSON, with Allow', async () => {
      const res = await host.http('PUT', '/v1/me', { token: ada.token, body: {} });
      expect(res.status).toBe(405);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
      expect(res.body.error.code).toBe('method_not_allowed');
      expect(res.headers.get('allow')?.split(/,\s*/)).toContain('GET');
      const del = await host.http('DELETE', '/v1/conversations', { token: ada.token });
      expect(del.status).toBe(405);
      expect(del.body.error.code).toBe('method_not_allowed');
      expect(del.headers.get('allow')?.split(/,\s*/).sort()).toEqual(expect.arrayContaining(['GET', 'POST']));
    });

    it('a method no route uses answers 405 JSON too, not a text 501', async () => {
      const res = await host.http('PURGE', '/v1/me', { token: ada.token });
      expect(res.status).toBe(405);
      expect(res.body.error.code).toBe('method_not_allowed');
      expect(res.headers.get('allow')).toContain('GET');
    });

    it('unknown paths answer the JSON 404 shape, whatever the method', async () => {
      for (const method of ['GET', 'POST', 'PUT', 'PURGE']) {
        const res = await host.http(method, '/v1/nothing-here', { token: ada.token });
        expect(res.status).toBe(404);
        expect(res.headers.get('content-type')).toMatch(/^application\/json/);
        expect(res.body.error.code).toBe('route_not_found');
        expect(res.headers.get('allow')).toBeNull();
      }
    });
  });
});
