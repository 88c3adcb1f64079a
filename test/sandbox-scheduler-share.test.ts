/**
 * An app's scheduled jobs cannot hold the host's job runs from its neighbours: a run of a job whose
 * handler never settles lasts until the app's event deadline, and the host runs only a share of
 * them for one plugin at a time, so a neighbour's job due meanwhile runs at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';
import { enable, roomWith } from './support/plugin-helpers.js';
import { reacherManifest } from './support/reacher-app.js';
import { appHealth, runOp, startSandboxHost } from './support/sandbox-helpers.js';

/** Longer than the test needs with a share, shorter than the host's own 25 s deadline on a run. */
const HOLD_MS = 20_000;

const jobsManifest = (id: string) =>
  reacherManifest(id, { commands: {}, storage: {}, scheduler: {}, 'http.routes': {} }, { eventTimeoutMs: HOLD_MS });

describe('scheduled jobs of apps side by side', () => {
  let host: TestHost;
  let ada: TestUser;

  beforeAll(async () => {
    ({ host, user: ada } = await startSandboxHost(
      [enable(jobsManifest('hog')), enable(jobsManifest('nice'))],
      ['hog', 'nice'],
    ));
  });
  afterAll(() => host?.stop());

  it("runs a neighbour's due job while an app's 60 due jobs hang in their handlers", async () => {
    const hogRoom = await roomWith(host, ada, ['hog']);
    const niceRoom = await roomWith(host, ada, ['nice']);
    expect((await runOp(host, ada, hogRoom.id, 'hold 60')).value).toEqual({ made: 60, refused: null });
    // Its runs have started (the /run itself was one event), and hang.
    await eventually(async () => (await appHealth(host, 'hog')).events > 10, { what: "the hog's runs" });

    expect((await runOp(host, ada, niceRoom.id, 'ping')).status).toBe(200);
    await eventually(async () => (await runOp(host, ada, niceRoom.id, 'pinged')).value.at !== null, {
      timeoutMs: HOLD_MS * 3,
      what: "the neighbour's job",
    });
    // It ran while the hog's runs still hung: none of them had reached its deadline.
    const hog = await appHealth(host, 'hog');
    expect(hog.failures, JSON.stringify(hog)).toEqual({});
    expect(hog.lastFailure).toBeNull();
  });
});
