/**
 * The shipped HAProxy configuration (deploy/haproxy/haproxy.cfg), run as it is in front of two
 * real host processes on one PostgreSQL database and one Redis bus. Every request and WebSocket
 * goes through the proxy over TLS. It spreads clients over both hosts and messages cross them; a
 * host stopped with SIGTERM (clients get 1001) or killed is taken out by the health check on
 * /readyz while its clients reconnect through the proxy to the survivor and resume without a gap;
 * a host that comes back is taken in again; and with http.trustProxy the hosts limit by the real
 * client's address, which a client-written X-Forwarded-For cannot change.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnHost, type ChildHost } from './support/child-host.js';
import { freePort } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { haproxyInstalled, httpsJson, startProxy, type Proxy } from './support/haproxy.js';
import { connect, type Frame, type TestClient } from './support/test-client.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const prefix = `test-${randomUUID()}:`;
const ADMIN = `admin-${randomUUID()}`;
const PER_ADDRESS = 6;
const hasHaproxy = haproxyInstalled();

interface Member {
  token: string;
  /** Every socket this user has had, the current one last. */
  sockets: TestClient[];
}

const hosts: { a?: ChildHost; b?: ChildHost } = {};
const everyHost: ChildHost[] = [];
const allSockets: TestClient[] = [];
let proxy: Proxy | undefined;
let database: TestDatabase | undefined;
let room = '';
let members: Member[] = [];

const created = (member: Member) =>
  member.sockets.flatMap((s) => s.frames).filter((f) => f.type === 'message.created' && f.conversationId === room);
const lastPts = (member: Member) => created(member).reduce((max, f) => Math.max(max, f.pts as number), 0);
const current = (member: Member) => member.sockets.at(-1)!;
/** Which host serves a socket: the one whose log names its session (the log comes through a pipe, so wait). */
const hostOf = (client: TestClient) => {
  const sessionId = (client.frames.find((f) => f.type === 'ready') as Frame).sessionId as string;
  return eventually(() => Object.entries(hosts).find(([, h]) => h?.output().includes(sessionId))?.[0], {
    what: `the host serving session ${sessionId}`,
  });
};
/** The members whose current socket is on `host`. */
const membersOn = async (host: string) => {
  const where = await Promise.all(members.map((m) => hostOf(current(m))));
  return members.filter((_, i) => where[i] === host);
};

/** Connects through the proxy (wss) and resumes the room from the last pts this user applied. */
async function attach(member: Member): Promise<TestClient> {
  const client = await connect(proxy!.wsUrl, member.token, { wsOptions: { ca: proxy!.ca } });
  allSockets.push(client);
  const pts = lastPts(member);
  member.sockets.push(client);
  const resumed = await client.request<{ conversations: { status: string }[] }>({
    type: 'resume',
    conversations: [{ conversationId: room, pts }],
  });
  expect(resumed.conversations.map((c) => c.status)).toEqual(['caught_up']);
  return client;
}

/** Every member sends one message; every member's stream then holds all of them, in pts order. */
async function exchange(label: string): Promise<void> {
  const sent = await Promise.all(members.map((m, i) => current(m).sendText(room, `${label} from ${i}`)));
  const last = Math.max(...sent.map((s) => s.message.pts as number));
  for (const member of members) {
    await eventually(() => lastPts(member) >= last, { what: `${label}: every message delivered` });
    const pts = created(member).map((f) => f.pts as number);
    expect(pts).toEqual(pts.map((_, i) => i + 1));
  }
}

const hostConfig = (port: number, n: number) => ({
  server: { host: '127.0.0.1', port },
  database: { url: database!.url, schema: database!.schema },
  bus: { url: REDIS_URL, prefix },
  auth: { adminToken: ADMIN },
  dataDir: mkdtempSync(join(tmpdir(), `switchboard-lb-${n}-`)),
  http: { trustProxy: true, rateLimits: { perAddress: { requests: PER_ADDRESS, windowSeconds: 60 } } },
});
const ports = { a: 0, b: 0 };

const title = hasHaproxy
  ? 'two hosts behind the shipped HAProxy config'
  : 'two hosts behind the shipped HAProxy config (skipped: haproxy is not installed; apt-get install haproxy)';

// Hosts sharing one database and bus need PostgreSQL (the bus refuses SQLite).
// A host start takes seconds on a busy machine, and the proxy's checks run every 2 s.
describe.skipIf(!process.env.DATABASE_URL || !hasHaproxy)(title, { timeout: 90_000 }, () => {
  beforeAll(async () => {
    database = await createTestDatabase();
    [ports.a, ports.b] = [await freePort(), await freePort()];
    // The first host migrates the fresh schema; the second then joins it.
    hosts.a = await spawnHost({ config: hostConfig(ports.a, 0), timeoutMs: 45_000 });
    hosts.b = await spawnHost({ config: hostConfig(ports.b, 1), timeoutMs: 45_000 });
    everyHost.push(hosts.a, hosts.b);
    proxy = await startProxy({ a: `127.0.0.1:${ports.a}`, b: `127.0.0.1:${ports.b}` });
    await eventually(async () => expect(await proxy!.servers()).toEqual({ a: 'UP', b: 'UP' }), {
      what: 'both hosts up in the proxy',
    });
    const users = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const handle = `lb_${i}_${randomUUID().slice(0, 6)}`;
        const body = { handle, displayName: `LB${i}`, password: 'balanced-password' };
        const user = await httpsJson(proxy!, 'POST', '/v1/admin/users', { token: ADMIN, body });
        expect(user.status).toBe(201);
        const login = await httpsJson(proxy!, 'POST', '/v1/auth/login', { body: { handle, password: body.password } });
        expect(login.status).toBe(200);
        return { id: user.body.id as string, token: login.body.token as string };
      }),
    );
    const group = await httpsJson(proxy, 'POST', '/v1/conversations', {
      token: users[0]!.token,
      body: { title: 'balanced', memberIds: users.slice(1).map((u) => u.id) },
    });
    expect(group.status).toBe(201);
    room = group.body.id as string;
    members = users.map((u) => ({ token: u.token, sockets: [] }));
  }, 120_000);

  afterAll(async () => {
    allSockets.forEach((s) => s.ws.terminate());
    await proxy?.stop();
    await Promise.all(everyHost.map((h) => h.kill('SIGKILL')));
    await database?.drop();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  });

  it('terminates TLS and spreads requests and WebSockets over both hosts; messages cross them', async () => {
    // Plain HTTP to the TLS port gets no answer.
    await expect(fetch(`http://127.0.0.1:${proxy!.port}/healthz`)).rejects.toThrow();
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const me = await httpsJson(proxy!, 'GET', '/v1/me', { token: members[i]!.token });
      expect(me.status).toBe(200);
      expect(me.tls).toMatch(/^TLSv1\.[23]$/);
      // The proxy's request id reaches the host, which keeps it and logs it.
      expect(me.headers['x-request-id']).toMatch(/^[0-9A-F]{16,64}$/);
      ids.push(me.headers['x-request-id'] as string);
    }
    for (const host of [hosts.a!, hosts.b!])
      await eventually(() => ids.some((id) => host.output().includes(`"requestId":"${id}"`)), {
        what: "a request id from the proxy in each host's log",
      });

    for (const member of members) await attach(member);
    expect((await Promise.all(members.map((m) => hostOf(current(m))))).sort()).toEqual(['a', 'a', 'b', 'b']);
    await exchange('first');
  });

  it('with trustProxy the hosts limit by the real client address, which X-Forwarded-For cannot change', async () => {
    // 127.0.0.2 writes a new address into X-Forwarded-For each time; the proxy replaces it.
    for (let i = 0; i < PER_ADDRESS; i++) {
      const spoofed = { 'x-forwarded-for': `198.51.100.${i + 1}` };
      const res = await httpsJson(proxy!, 'GET', '/v1/me', { headers: spoofed, localAddress: '127.0.0.2' });
      expect(res.status).toBe(401);
    }
    const refused = await httpsJson(proxy!, 'GET', '/v1/me', { localAddress: '127.0.0.2' });
    expect(refused.status).toBe(429);
    expect(refused.body.error.code).toBe('rate_limited');
    // Another client has a budget of its own, not the proxy's shared address, even when it names 127.0.0.2.
    const other = await httpsJson(proxy!, 'GET', '/v1/me', {
      headers: { 'x-forwarded-for': '127.0.0.2' },
      localAddress: '127.0.0.3',
    });
    expect(other.status).toBe(401);
    // The proxy's log line (written as the request ends) names the real client too.
    await eventually(() => /^127\.0\.0\.2:\d+ .* 429 /m.test(proxy!.output()), { what: "the proxy's log line" });
  });

  it('a host stopped with SIGTERM is taken out: its clients get 1001, reconnect to the survivor and resume', async () => {
    const orphans = await membersOn('a');
    const stayers = await membersOn('b');
    const stopped = hosts.a!.kill('SIGTERM');
    for (const m of orphans) expect((await current(m).closed).code).toBe(1001);
    // Sent while the orphans are away: they must get it on resume.
    await current(stayers[0]!).sendText(room, 'while you were away');
    // Even before the health check notices, a refused connection is retried on the other host.
    for (let i = 0; i < 4; i++)
      expect((await httpsJson(proxy!, 'GET', '/v1/me', { token: members[i]!.token })).status).toBe(200);
    for (const m of orphans) expect(await hostOf(await attach(m))).toBe('b');
    expect(created(orphans[0]!).some((f) => f.message.content.text === 'while you were away')).toBe(true);
    await exchange('after the drain');
    expect(await stopped).toEqual({ code: 0, signal: null });
    await eventually(async () => (await proxy!.servers()).a?.startsWith('DOWN'), { what: 'host a marked down' });
  });

  it('a host that comes back is taken in again, and new clients go to it', async () => {
    hosts.a = await spawnHost({ config: hostConfig(ports.a, 2), timeoutMs: 45_000 });
    everyHost.push(hosts.a);
    await eventually(async () => (await proxy!.servers()).a === 'UP', { what: 'host a up again' });
    // Least connections: every socket is on b, so the next one goes to a.
    const mover = members[0]!;
    current(mover).ws.close(1000);
    await current(mover).closed;
    expect(await hostOf(await attach(mover))).toBe('a');
    await exchange('after the return');
  });

  it('a host killed outright is taken out: its clients reconnect through the proxy and resume', async () => {
    const orphans = await membersOn('b');
    expect(orphans.length).toBeGreaterThan(0);
    await hosts.b!.kill('SIGKILL');
    for (const m of orphans) expect((await current(m).closed).code).toBe(1006);
    await current(members[0]!).sendText(room, 'after the crash');
    for (const m of orphans) expect(await hostOf(await attach(m))).toBe('a');
    for (const m of orphans)
      expect(created(m).filter((f) => f.message.content.text === 'after the crash')).toHaveLength(1);
    await exchange('after the crash');
    await eventually(async () => (await proxy!.servers()).b?.startsWith('DOWN'), { what: 'host b marked down' });
    expect((await httpsJson(proxy!, 'GET', '/v1/me', { token: members[1]!.token })).status).toBe(200);
  });
});
