/** Reports of abuse in the suites (test/reports-*.test.ts): sending them and reading the operator's queue. */
import { expect } from 'vitest';
import type { HttpResult, TestHost, TestUser } from './start-test-host.js';

/** POST /v1/reports as `user`, answered as the host gave it. */
export const report = (host: TestHost, user: TestUser, body: object): Promise<HttpResult> =>
  host.http('POST', '/v1/reports', { token: user.token, body });

/** A new report, which must be made (201): its body. */
export async function reported(host: TestHost, user: TestUser, body: object): Promise<any> {
  const res = await report(host, user, body);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

/** An answer that must be this catalog error. */
export function expectError(res: HttpResult, status: number, code: string): void {
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  expect(res.body.error.code).toBe(code);
}

/** The operator's page of reports (`open` unless the query says). */
export async function queue(host: TestHost, query = ''): Promise<{ reports: any[]; hasMore: boolean }> {
  const res = await host.http('GET', `/v1/admin/reports${query}`, { token: 'admin' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

/** Resolves a report as the operator, answered as the host gave it. */
export const resolve = (host: TestHost, reportId: string, action: string): Promise<HttpResult> =>
  host.http('POST', `/v1/admin/reports/${reportId}/resolve`, { token: 'admin', body: { action } });
