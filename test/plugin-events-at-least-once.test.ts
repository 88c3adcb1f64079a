/**
 * Plugin events are recorded with the change that causes them (the outbox) and handed on by the
 * committing host; a host that dies before its handlers finish leaves them to another host (or to
 * its own next start), which hands them on with the same event id. A live host renews its lease
 * on events its handlers still hold, so a slow handler is never handed the event twice.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnHost, type ChildHost } from './support/child-host.js';
import { repoRoot } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { enable, readRecords, recordFile, roomWith, waitForRecord } from './support/plugin-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { connect } from './support/test-client.js';
import { createTestDatabase, testDatabaseKind } from './support/test-database.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The event-ledger fixture, enabled with its own record file. */
function ledgerPlugin(file: string) {
  return enable(
    {
      id: 'event-ledger',
      name: 'Event ledger',
      version: '1.0.0',
      description: 'Records the plugin events it is handed.',
      author: { name: 'Switchboard tests' },
      engine: '^1.0.0',
      runtime: 'trusted',
      entry: join(repoRoot, 'test/fixtures/plugins/event-ledger/index.ts'),
      permissions: { events: { events: ['message.created'] } },
      contributes: {
        events: ['message.created'],
        settings: { type: 'object', required: ['recordFile'], properties: { recordFile: { type: 'string' } } },
      },
    },
    { settings: { recordFile: file } },
  );
}

const METRICS_TOKEN = 'metrics-token-outbox-0123456789';

/** One unlabelled figure from the host's /metrics (the outbox's own, watched as operators do). */
async function metric(host: { url: string }, name: string): Promise<number> {
  const res = await fetch(`${host.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await res.text()).split('\n').find((l) => l.startsWith(`${name} `));
  if (!line) throw new Error(`no ${name} in /metrics`);
  return Number(line.slice(name.length + 1));
}
const pending = (host: { url: string }) => metric(host, 'switchboard_plugin_event_commits_pending');

describe('plugin events: at least once, with stable ids', () => {
  const hosts: TestHost[] = [];
  const children: ChildHost[] = [];
  afterAll(async () => {
    for (const child of children) await child.kill('SIGKILL');
    for (const host of hosts.reverse()) await host.stop();
  });

  it('hands every event on once, each with its own id, and keeps nothing once handled', async () => {
    const file = recordFile('ledger');
    const host = await startTestHost({
      config: { plugins: { enabled: [ledgerPlugin(file)] }, metrics: { token: METRICS_TOKEN } },
    });
    hosts.push(host);
    const ada = await host.createUser();
    const room = await roomWith(host, ada, ['event-ledger']);
    const socket = await host.connect(ada.token);
    for (let i = 0; i < 20; i++) await socket.sendText(room.id, `m${i}`);

    const records = await eventually(() => {
      const found = readRecords(file).filter((r) => /^m\d+$/.test(r.text));
      return found.length >= 20 && found;
    });
    expect(records.map((r) => r.text)).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
    expect(records.every((r) => UUID.test(r.eventId))).toBe(true);
    expect(new Set(records.map((r) => r.eventId)).size).toBe(20);
    await eventually(async () => (await pending(host)) === 0, { what: 'the outbox emptied' });
  });

  it('renews the lease of an event whose handler is still running, so it is not handed on twice', async () => {
    const file = recordFile('slow');
    const host = await startTestHost({
      config: { plugins: { enabled: [ledgerPlugin(file)], eventLeaseMs: 600 }, metrics: { token: METRICS_TOKEN } },
    });
    hosts.push(host);
    const ada = await host.createUser();
    const room = await roomWith(host, ada, ['event-ledger']);
    await (await host.connect(ada.token)).sendText(room.id, 'hold-slow');
    const first = await waitForRecord(file, (r) => r.text === 'hold-slow');

    // Renewed three times (a sweep every third of the lease): the event outlived its lease.
    await eventually(async () => (await metric(host, 'switchboard_plugin_event_lease_renewals_total')) >= 3, {
      what: 'the lease renewed three times',
    });
    expect(await pending(host)).toBe(1);
    writeFileSync(`${file}.release`, '');
    await eventually(async () => (await pending(host)) === 0, { what: 'the outbox emptied' });
    expect(await metric(host, 'switchboard_plugin_events_taken_over_total')).toBe(0);
    expect(readRecords(file).filter((r) => r.text === 'hold-slow')).toEqual([first]);
  });

  it('hands on, with the same id, the event of a host killed before its handler finished', async () => {
    const file = recordFile('killed');
    const database = await createTestDatabase();
    const plugins = { enabled: [ledgerPlugin(file)], eventLeaseMs: 900 };
    // Sets up users and the room; on PostgreSQL it stays up as the live peer that takes over.
    const metrics = { token: METRICS_TOKEN };
    let peer: TestHost | null = await startTestHost({ database, config: { plugins, metrics } });
    const ada = await peer.createUser();
    const room = await roomWith(peer, ada, ['event-ledger']);
    if (testDatabaseKind === 'sqlite') {
      // One host per SQLite file: the taker is this host's next start.
      await peer.stopHostOnly();
      peer = null;
    } else hosts.push(peer);

    const doomed = await spawnHost({
      config: {
        database: { url: database.url, schema: database.schema },
        plugins,
        dataDir: mkdtempSync(join(tmpdir(), 'switchboard-outbox-')),
      },
      timeoutMs: 45_000,
    });
    children.push(doomed);
    const socket = await connect(doomed.wsUrl, ada.token);
    await socket.sendText(room.id, 'hold-killed');
    const first = await waitForRecord(file, (r) => r.text === 'hold-killed' && r.pid === doomed.pid);
    await doomed.kill('SIGKILL');

    const taker = peer ?? (await startTestHost({ database, config: { plugins, metrics } }));
    if (!peer) hosts.push(taker);
    const again = await waitForRecord(file, (r) => r.text === 'hold-killed' && r.pid === process.pid, 20_000);
    expect(again.eventId).toBe(first.eventId);
    expect(readRecords(file).filter((r) => r.text === 'hold-killed')).toHaveLength(2);
    expect(await metric(taker, 'switchboard_plugin_events_taken_over_total')).toBe(1);
    await eventually(async () => (await pending(taker)) === 0, { what: 'the outbox emptied' });
  });
});
