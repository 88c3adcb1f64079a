/**
 * Losing Redis loses nothing: two hosts on one PostgreSQL database share a Redis of this test's
 * own (a redis-server on a free port, since the test stops it). While it is down each host still
 * commits and acknowledges, `/readyz` says the bus is unreachable, and when Redis is back the
 * hosts reconnect by themselves: the next change crosses live, and the one committed during the
 * outage is filled in from the database, in pts order.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, randomUUID, type TestHost } from './support/start-test-host.js';
import { freePort } from './support/e2e.js';
import { eventually } from './support/eventually.js';

// The bus refuses SQLite (one host per file): hosts sharing a database need PostgreSQL.
describe.skipIf(!process.env.DATABASE_URL)('Redis stopped and started again under two hosts', () => {
  let port: number;
  let redis: ChildProcess | null = null;
  let a: TestHost;
  let b: TestHost;
  /** Host A's log lines. */
  const logged: { level: number; msg: string; dropped?: number }[] = [];
  const busLines = () => logged.filter((l) => /^Redis is/.test(l.msg));

  const startRedis = async () => {
    redis = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    await eventually(
      () =>
        execFileSync('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] })
          .toString()
          .trim() === 'PONG',
      {
        what: 'redis-server to answer',
      },
    );
  };
  const stopRedis = async () => {
    const child = redis;
    redis = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };

  beforeAll(async () => {
    port = await freePort();
    await startRedis();
    const bus = { url: `redis://127.0.0.1:${port}`, prefix: `outage-${randomUUID()}:` };
    const logger = pino({ level: 'info' }, { write: (line: string) => logged.push(JSON.parse(line)) });
    a = await startTestHost({ config: { bus }, logger });
    b = await startTestHost({ config: { bus }, database: a.database });
  });

  afterAll(async () => {
    await b?.stop();
    await a?.stop();
    await stopRedis();
  });

  it('hosts keep committing, /readyz tells, and after Redis is back nothing is missing', async () => {
    const [ada, bob] = await Promise.all([a.createUser(), a.createUser()]);
    const room = await a.direct(ada, bob);
    const adaOnA = await a.connect(ada.token);
    const bobOnB = await b.connect(bob.token);
    const before = await adaOnA.sendText(room.id, 'before the outage');
    await bobOnB.next((f) => f.type === 'message.created' && f.message.id === before.message.id);

    expect(busLines()).toEqual([]);
    await stopRedis();
    // Acknowledged means committed, bus or no bus: the send does not wait for Redis.
    const during = await adaOnA.sendText(room.id, 'while Redis is down');
    await eventually(async () => (await a.http('GET', '/readyz')).status === 503, { what: 'A not ready' });
    expect((await b.http('GET', '/readyz')).body).toMatchObject({ error: { code: 'not_ready' } });

    await startRedis();
    for (const host of [a, b])
      await eventually(async () => (await host.http('GET', '/readyz')).status === 200, { what: 'ready again' });
    // One warning for the whole outage (however many reconnects failed), and one line when it ended.
    await eventually(() => busLines().length === 2, { what: "A's log of the outage" });
    expect(busLines()).toMatchObject([
      { level: 40, msg: expect.stringMatching(/^Redis is unreachable/) },
      { level: 30, msg: 'Redis is reachable again', dropped: expect.any(Number) },
    ]);
    const after = await adaOnA.sendText(room.id, 'after the outage');
    await bobOnB.next((f) => f.type === 'message.created' && f.message.id === after.message.id);

    const created = bobOnB.frames.filter((f) => f.type === 'message.created' && f.conversationId === room.id);
    expect(created.map((f) => f.message.id as string)).toEqual([
      before.message.id,
      during.message.id,
      after.message.id,
    ]);
    const pts = created.map((f) => f.pts as number);
    expect(pts).toEqual([pts[0], pts[0]! + 1, pts[0]! + 2]);
  });
});
