/**
 * A sandboxed app serves from any host: each of three hosts runs the app in its own sandbox
 * workers, and its command, HTTP route and service answer through every host, while an event it
 * handles is handled once in the cluster, not once per host. Per-app limits (sendsPerMinute, CPU)
 * are each host's own: docs/apps.md says so.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestUser } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { enable, roomWith, runCommand } from './support/plugin-helpers.js';
import { appManifest, waitForApp } from './support/sandbox-helpers.js';
import { startCluster, type Cluster, type ClusterHost } from './support/cluster-hosts.js';

const COUNTER_ENTRY = `${repoRoot}/test/fixtures/apps/counter/index.ts`;
const CALLER_ENTRY = `${repoRoot}/test/fixtures/plugins/svc-caller/index.ts`;

function counterManifest() {
  const m = appManifest('counter', {
    entry: COUNTER_ENTRY,
    permissions: { commands: {}, storage: {}, events: { events: ['message.created'] }, 'http.routes': {} },
  });
  m.contributes = {
    commands: [
      {
        name: 'count',
        description: 'Counts.',
        arguments: [
          { name: 'op', type: 'string', required: true },
          { name: 'arg', type: 'rest' },
        ],
      },
    ],
    routes: [{ method: 'GET', path: '/status', auth: 'user' }],
    services: [{ name: 'double', description: 'Doubles n.' }],
  };
  return m;
}

const caller = {
  id: 'svc-caller',
  name: 'Caller',
  version: '1.0.0',
  description: 'Calls the app service.',
  author: 'tests',
  engine: '^1.0.0',
  runtime: 'trusted',
  entry: CALLER_ENTRY,
  permissions: { commands: {}, 'services.call': { services: ['counter.double'] } },
  contributes: {
    commands: [
      {
        name: 'svc',
        description: 'x',
        arguments: [
          { name: 'op', required: true, type: 'string' },
          { name: 'args', type: 'rest' },
        ],
      },
    ],
  },
};

// Hosts sharing a database need PostgreSQL (the bus refuses SQLite).
describe.skipIf(!process.env.DATABASE_URL)('sandboxed apps across three hosts', () => {
  let cluster: Cluster;
  let hosts: ClusterHost[];
  let user: TestUser;
  let room: { id: string };

  beforeAll(async () => {
    cluster = await startCluster({
      config: {
        sandbox: { workers: 1 },
        plugins: { enabled: [enable(counterManifest()), enable(caller, { settings: { command: 'svc' } })] },
      },
    });
    hosts = cluster.hosts;
    user = await hosts[0]!.createUser();
    room = await roomWith(hosts[0]!, user, ['counter', 'svc-caller']);
  }, 180_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  it(
    'runs in its own worker on every host and answers its command, route and service through each',
    { timeout: 90_000 },
    async () => {
      const workers = new Set<number>();
      for (const host of hosts) {
        const health = await waitForApp(host, 'counter');
        expect(health.workerPid).toEqual(expect.any(Number));
        workers.add(health.workerPid!);
      }
      expect(workers.size).toBe(3);

      for (const [n, host] of hosts.entries()) {
        const command = await runCommand(host, user, room.id, `/count echo host${n}`);
        expect(command.status, JSON.stringify(command.body)).toBe(200);
        expect(JSON.parse(command.body.reply.text)).toEqual({ echo: `host${n}` });

        const route = await host.http('GET', '/plugins/counter/status', { token: user.token });
        expect(route).toMatchObject({ status: 200, body: { app: 'counter', user: user.id } });

        const service = await runCommand(host, user, room.id, `/svc call ${JSON.stringify(['counter.double', { n }])}`);
        expect(service.status, JSON.stringify(service.body)).toBe(200);
        expect(JSON.parse(service.body.reply.text)).toMatchObject({ ok: true, value: { output: { doubled: n * 2 } } });
      }
    },
  );

  it(
    'handles each event once in the cluster, whichever host the message was sent through',
    { timeout: 90_000 },
    async () => {
      const sent: string[] = [];
      for (const [n, host] of hosts.entries())
        for (let i = 0; i < 2; i++) {
          const res = await host.http('POST', `/v1/conversations/${room.id}/messages`, {
            token: user.token,
            body: { clientMsgId: `cluster-${n}-${i}-${Date.now()}`, content: { type: 'text', text: `via ${n}` } },
          });
          expect(res.status, JSON.stringify(res.body)).toBe(201);
          sent.push(res.body.message.id as string);
        }
      const seen = async (host: ClusterHost, messageId: string): Promise<number> =>
        JSON.parse((await runCommand(host, user, room.id, `/count seen ${messageId}`)).body.reply.text);
      for (const id of sent)
        await eventually(async () => (await seen(hosts[0]!, id)) >= 1, { what: `the event of ${id} handled` });
      // A later message handled too: every host has had its chance to handle the earlier ones.
      const later = await hosts[2]!.http('POST', `/v1/conversations/${room.id}/messages`, {
        token: user.token,
        body: { clientMsgId: `later-${Date.now()}`, content: { type: 'text', text: 'later' } },
      });
      await eventually(async () => (await seen(hosts[1]!, later.body.message.id)) >= 1, { what: 'the later event' });
      for (const [i, id] of sent.entries()) expect(await seen(hosts[i % 3]!, id), id).toBe(1);
    },
  );
});
