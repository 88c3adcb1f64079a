/**
 * Helpers for the plugin-tables suites: manifests of the tables fixture (which answers
 * POST /plugins/<id>/run) and calls that run its operations and unwrap or check their outcomes.
 */
import { expect } from 'vitest';
import type { TestHost, TestUser } from './start-test-host.js';
import { repoRoot } from './e2e.js';

const ENTRY = `${repoRoot}/test/fixtures/plugins/tables/index.ts`;

export function tablesManifest(
  id: string,
  permissions: Record<string, object> = { database: {}, 'http.routes': {}, storage: {} },
  runtime = 'trusted',
) {
  return {
    id,
    name: `Tables ${id}`,
    version: '1.0.0',
    description: 'A test fixture with its own tables.',
    author: 'Switchboard tests',
    engine: '^1.0.0',
    runtime,
    entry: ENTRY,
    permissions,
    contributes: { routes: [{ method: 'POST', path: '/run', auth: 'user' }] },
  };
}

/** Calls into the tables fixture on the current host, as the current user. */
export function tablesClient(current: () => { host: TestHost; user: TestUser }) {
  const run = async (id: string, body: object) => {
    const { host, user } = current();
    const res = await host.http('POST', `/plugins/${id}/run`, { token: user.token, body });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };
  const query = (id: string, table: string, end: unknown[], steps: unknown[][] = []) =>
    run(id, { op: 'query', table, steps, end });
  const value = async (p: Promise<any>) => {
    const outcome = await p;
    expect(outcome.ok, JSON.stringify(outcome)).toBe(true);
    return outcome.value;
  };
  const refused = async (p: Promise<any>, code: string, message?: RegExp) => {
    const outcome = await p;
    expect(outcome, JSON.stringify(outcome)).toMatchObject({ ok: false, code });
    if (message) expect(outcome.message).toMatch(message);
    return outcome;
  };
  const owners = async (id = 'ledger') =>
    (await value(query(id, 'accounts', ['all'], [['orderBy', 'owner']]))).map((r: any) => r.owner);
  return { run, query, value, refused, owners };
}
