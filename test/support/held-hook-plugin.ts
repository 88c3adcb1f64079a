/**
 * The held-hook fixture (test/fixtures/plugins/held-hook) enabled for a test host: its
 * message.beforeStore hook holds the next message of a content type until the test releases it,
 * so that a test can act while a send is in flight for sure.
 */
import { repoRoot } from './e2e.js';
import { enable, type EnabledEntry } from './plugin-helpers.js';

export { heldHook } from '../fixtures/plugins/held-hook/index.js';

/** The config entry enabling the fixture; a held message is let through after 5 s (fail open) at the latest. */
export function heldHookPlugin(): EnabledEntry {
  return enable({
    id: 'held-hook',
    name: 'Held hook',
    version: '1.0.0',
    description: 'Holds a message until the test lets it go.',
    author: 'Switchboard tests',
    engine: '^1.0.0',
    runtime: 'trusted',
    entry: `${repoRoot}/test/fixtures/plugins/held-hook/index.ts`,
    permissions: { hooks: {} },
    contributes: { hooks: [{ point: 'message.beforeStore', failMode: 'open', timeoutMs: 5_000 }] },
  });
}
