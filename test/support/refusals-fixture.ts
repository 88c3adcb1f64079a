/**
 * The refusals fixture plugin (test/fixtures/plugins/refusals) and the refusals it throws, shared
 * by the suites that check the plugin call boundary: trusted (plugin-call-boundary) and across the
 * sandbox (sandbox-refusals).
 */
import { expect } from 'vitest';
import { repoRoot } from './e2e.js';
import { enable, type EnabledEntry } from './plugin-helpers.js';

/** The plugin's own refusal (a PluginError), as its caller receives it. */
export const PLUGIN_REFUSAL = (where: string) => ({
  code: 'out_of_stock',
  message: 'That item is out of stock.',
  details: { sku: `sku-${where}`, left: 0 },
});

/** Over HTTP an error body also names its request (X-Request-Id); error frames do not. */
export const overHttp = <T extends object>(error: T) => ({ ...error, requestId: expect.any(String) });

/** A host user error the plugin met and let through. */
export const HOST_REFUSAL = (where: string) => ({
  code: 'invalid_request',
  message: `bad input at ${where}`,
  details: [{ path: '/how', message: where }],
});

/** The trusted `refusals` plugin: a command, a card's tap, a route and a service that throw as asked. */
export function refusalsPlugin(suite: string): EnabledEntry {
  return enable({
    id: 'refusals',
    name: 'Refusals',
    version: '1.0.0',
    description: `A fixture of the ${suite} suite.`,
    author: { name: 'Switchboard tests' },
    engine: '^1.0.0',
    runtime: 'trusted',
    entry: `${repoRoot}/test/fixtures/plugins/refusals/index.ts`,
    permissions: { commands: {}, interactive: {}, 'http.routes': {} },
    contributes: {
      commands: [
        { name: 'refuse', description: 'Throws.', arguments: [{ name: 'how', required: true, type: 'string' }] },
        { name: 'card', description: 'Sends a card.' },
      ],
      routes: [{ method: 'POST', path: '/refuse/:how', auth: 'user' }],
      services: [{ name: 'refuse', description: 'Throws.' }],
    },
  });
}
