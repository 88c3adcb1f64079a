/**
 * Several hosts as one, for scheduled plugin jobs: three real host processes on one PostgreSQL
 * database and one Redis run the job-holder fixture, whose one job never settles on its first
 * run. The host that claimed it keeps it for as long as it lives (it renews the lease, so no
 * other host runs it a second time while the handler has time left); once that host is killed with
 * SIGKILL, another host runs the job again as soon as the lease (plugins.jobLeaseMs, short here)
 * has run out, and settles it.
 */
import knex, { type Knex } from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { processAlive } from './support/child-host.js';
import { startCluster, type Cluster } from './support/cluster-hosts.js';
import { enable, readRecords, recordFile, waitForRecord } from './support/plugin-helpers.js';
import { postgresConnection } from '../host/db/postgres-url.js';

const LEASE_MS = 5_000;

interface JobRow {
  id: string;
  plugin_id: string;
  attempt: number;
  locked_by: string | null;
  locked_until: string | number | null;
}

// Hosts sharing a database need PostgreSQL (the bus refuses SQLite).
describe.skipIf(!process.env.DATABASE_URL)('a scheduled job on three hosts', () => {
  const records = recordFile('job-holder');
  const holder = enable(
    {
      id: 'job-holder',
      name: 'Job holder',
      version: '1.0.0',
      description: 'A test fixture whose job keeps its host busy.',
      author: 'Switchboard tests',
      engine: '^1.0.0',
      runtime: 'trusted',
      entry: `${repoRoot}/test/fixtures/plugins/job-holder/index.ts`,
      permissions: { scheduler: {}, 'http.routes': {} },
      contributes: {
        routes: [{ method: 'POST', path: '/start', auth: 'admin' }],
        settings: {
          type: 'object',
          additionalProperties: false,
          required: ['recordFile'],
          properties: { recordFile: { type: 'string' } },
        },
      },
    },
    { settings: { recordFile: records } },
  );
  let cluster: Cluster;
  let db: Knex;
  const job = async () => {
    const rows = await db<JobRow>('plugin_jobs').where({ plugin_id: 'job-holder' });
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };
  const runs = () => readRecords(records).filter((r) => r.event === 'run');

  beforeAll(async () => {
    cluster = await startCluster({ config: { plugins: { jobLeaseMs: LEASE_MS, enabled: [holder] } } });
    db = knex({
      client: 'pg',
      connection: postgresConnection(cluster.database.url),
      searchPath: [cluster.database.schema],
      pool: { min: 0, max: 1 },
    });
  }, 120_000);

  afterAll(async () => {
    await db?.destroy();
    // A host still busy with the job would wait for it at a graceful stop: kill them all first.
    await Promise.all((cluster?.hosts ?? []).map((h) => h.child.kill('SIGKILL')));
    await cluster?.stop();
  });

  it('stays with the host that runs it for as long as that host lives, past its lease', async () => {
    const scheduled = await cluster.hosts[1]!.http('POST', '/plugins/job-holder/start', { token: 'admin' });
    expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(200);
    const first = await waitForRecord(records, (r) => r.event === 'run');
    expect(first.attempt).toBe(1);
    const holderHost = cluster.hosts.find((h) => h.child.pid === first.pid);
    expect(holderHost, `pid ${first.pid} is none of the hosts`).toBeDefined();
    const claimed = await job();
    expect(claimed).toMatchObject({ id: first.id, attempt: 1 });
    const firstLease = Number(claimed.locked_until);
    // A renewal made after the first lease had run out (while the other hosts poll for due jobs
    // four times a second) proves the lease outlived it with its holder.
    await eventually(async () => Number((await job()).locked_until) >= firstLease + LEASE_MS, {
      what: 'a renewal of the lease after it first ran out',
      timeoutMs: 6 * LEASE_MS,
    });
    expect(Date.now()).toBeGreaterThan(firstLease);
    const renewed = await job();
    expect(renewed).toMatchObject({ id: first.id, attempt: 1, locked_by: claimed.locked_by });
    expect(runs()).toEqual([first]);
  }, 60_000);

  it('is run again by another host once the lease of a killed host has run out', async () => {
    const [first] = runs();
    const doomed = cluster.hosts.find((h) => h.child.pid === first.pid)!;
    const leasedUntil = Number((await job()).locked_until);
    await doomed.child.kill('SIGKILL');
    expect(processAlive(doomed.child.pid)).toBe(false);

    const done = await waitForRecord(records, (r) => r.event === 'done' && r.id === first.id, 6 * LEASE_MS);
    const survivors = cluster.hosts.filter((h) => h !== doomed).map((h) => h.child.pid);
    expect(survivors).toContain(done.pid);
    expect(done).toMatchObject({ id: first.id, attempt: 2 });
    // Not before the lease the dead host held had run out (the hosts share this machine's clock).
    expect(done.ranAt).toBeGreaterThanOrEqual(leasedUntil);
    // Settled by the host that took it over: a one-off job is forgotten once done.
    await eventually(async () => (await db('plugin_jobs').where({ plugin_id: 'job-holder' })).length === 0, {
      what: 'the job to be settled',
    });
    expect(runs().map((r) => r.attempt)).toEqual([1, 2]);
  }, 60_000);
});
