/** Shared setup for the input-rules suites (test/input-rules-*.test.ts). */
import { RequestError, type TestClient } from './test-client.js';
import { repoRoot } from './e2e.js';
import { enable, probeManifest } from './plugin-helpers.js';

export const LONE = 'x\ud800';
export const NUL = 'x\u0000y';
export const MAX_TEXT = 10;

const HTTP_ROUTES_ENTRY = `${repoRoot}/test/fixtures/plugins/http-routes/index.ts`;
export const routesPlugin = enable(
  {
    id: 'routes',
    name: 'HTTP routes',
    version: '1.0.0',
    description: 'A test fixture that serves HTTP routes.',
    author: { name: 'Switchboard tests' },
    engine: '^1.0.0',
    runtime: 'trusted',
    entry: HTTP_ROUTES_ENTRY,
    permissions: { 'http.routes': {} },
    contributes: {
      routes: [
        { method: 'POST', path: '/echo', auth: 'none' },
        { method: 'GET', path: '/items/:itemId', auth: 'none' },
      ],
    },
  },
  { settings: { skip: [], extra: [] } },
);
export const nulHook = enable(
  probeManifest('nulhook', {
    command: 'nulhook',
    hooks: [{ failMode: 'closed' }],
    permissions: { commands: {}, hooks: {} },
  }),
  { settings: { command: 'nulhook', hook: { when: 'add-nul', action: 'append', text: '\u0000' } } },
);

/** The host config every input-rules suite starts with. */
export const inputRulesConfig = {
  messages: { maxTextLength: MAX_TEXT },
  plugins: { enabled: [routesPlugin, nulHook] },
};

/** An error frame answering `replyTo` (null for frames whose id could not be used). */
export const errorOf = (client: TestClient, replyTo: string | null) =>
  client.waitFor((f) => f.type === 'error' && f.replyTo === replyTo, 5000).then((f) => f.error);

export async function refusal(client: TestClient, frame: Record<string, unknown>): Promise<any> {
  return client.request(frame).then(
    (data) => {
      throw new Error(`accepted: ${JSON.stringify(data)}`);
    },
    (e: RequestError) => e.error,
  );
}
