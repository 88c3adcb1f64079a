/**
 * What an app's host calls carry is bounded by the minute (`callMbPerMinute`), in bursts of at most
 * 4 MiB: reading, checking and storing large arguments costs the worker the app shares and the
 * host in proportion to their size, and on SQLite a large write holds the one writer. Past it a
 * call fails with `sandbox_limit` and `retryAfterMs`, which is no failure of the app's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/e2e.js';
import { enable, roomWith, runCommand } from './support/plugin-helpers.js';
import { appHealth, appManifest, waitForApp } from './support/sandbox-helpers.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';

const BIG_WRITER_ENTRY = `${repoRoot}/test/fixtures/apps/big-writer/index.ts`;
/** Each write of the fixture: a million CJK characters, 3 MB of UTF-8. */
const WRITE_BYTES = 3_000_000;

describe('the arguments an app sends a minute', () => {
  let host: TestHost;
  let user: TestUser;
  let roomId: string;

  beforeAll(async () => {
    host = await startTestHost({
      config: {
        plugins: {
          enabled: [
            enable(
              appManifest('big-writer', {
                entry: BIG_WRITER_ENTRY,
                permissions: { commands: {}, storage: { quotaBytes: 100_000_000 } },
                // The least an app may ask for: 4 MiB a minute refills about 70 KB a second.
                limits: { callMbPerMinute: 4, cpuMsPerEvent: 1000 },
              }),
            ),
          ],
        },
      },
    });
    user = await host.createUser();
    roomId = (await roomWith(host, user, ['big-writer'])).id;
    await waitForApp(host, 'big-writer');
  });
  afterAll(() => host?.stop());

  it('lets one large write through, then refuses the next until the minute has room, without failing the app', async () => {
    const res = await runCommand(host, user, roomId, '/run 2');
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const [first, second] = JSON.parse(res.body.reply.text) as { ok: boolean; code?: string; retryAfterMs?: number }[];
    expect(first).toEqual({ ok: true });
    expect(second).toMatchObject({ ok: false, code: 'sandbox_limit' });
    // 3 MB past the 1.2 MiB left of the burst, at 4 MiB a minute: more than twenty seconds.
    const missing = WRITE_BYTES - (4 * 1_048_576 - WRITE_BYTES);
    expect(second!.retryAfterMs).toBeGreaterThan(((missing * 60) / (4 * 1_048_576)) * 1000 * 0.9);
    const health = await appHealth(host, 'big-writer');
    expect(health).toMatchObject({ state: 'running', failures: {} });
  });
});
