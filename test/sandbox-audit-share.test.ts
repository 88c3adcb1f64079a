/**
 * What an app does fills only its own share of the audit log: a storage.set of one key, repeated
 * without end, costs it no storage quota but adds an entry each time, and the host keeps only the
 * newest plugins.auditEntriesPerPlugin entries of each plugin (host/plugins/audit-trim.ts), so the
 * flood erases the flooder's own history and never a neighbour's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { auditOf, enable, roomWith } from './support/plugin-helpers.js';
import { reacherManifest } from './support/reacher-app.js';
import { runOp, startSandboxHost } from './support/sandbox-helpers.js';

const KEEP = 50;
const FLOOD = 200;

const manifestOf = (id: string) =>
  reacherManifest(id, { commands: {}, storage: {}, scheduler: {}, 'http.routes': {} }, {});

describe("an app's share of the audit log", () => {
  let host: TestHost;
  let ada: TestUser;

  beforeAll(async () => {
    ({ host, user: ada } = await startSandboxHost(
      [enable(manifestOf('flooder')), enable(manifestOf('neighbour'))],
      ['flooder', 'neighbour'],
      {},
      { plugins: { auditEntriesPerPlugin: KEEP } },
    ));
  });
  afterAll(() => host?.stop());

  it('keeps the newest entries of a plugin that repeats a write, and every entry of its neighbour', async () => {
    const neighbourRoom = await roomWith(host, ada, ['neighbour']);
    expect((await runOp(host, ada, neighbourRoom.id, 'kv 20 8 0')).value).toEqual({ done: 20, refused: null });
    const room = await roomWith(host, ada, ['flooder']);
    for (let i = 0; i < FLOOD; i += 50)
      expect((await runOp(host, ada, room.id, 'kv 50 512')).value).toEqual({ done: 50, refused: null });
    // A query waits for every entry recorded before it, and for the trims they started.
    const kept = await auditOf(host, 'flooder', 1000);
    // Trimmed once a tenth of KEEP more came: never more than that past KEEP.
    expect(kept.length).toBeGreaterThanOrEqual(KEEP);
    expect(kept.length).toBeLessThanOrEqual(KEEP + KEEP / 10);
    // The newest are those kept: newest first, the ids run on without a gap.
    const ids = kept.map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => ids[0]! - i));
    expect((await auditOf(host, 'neighbour', 1000)).filter((e) => e.action === 'set')).toHaveLength(20);
  });
});
