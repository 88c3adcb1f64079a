/**
 * Durability under kill -9: an acknowledged send is committed. A host process is killed with
 * SIGKILL while several clients pipeline sends; a new host on the same database must have every
 * acknowledged message with its seq, no seq gaps, and resends of unanswered clientMsgIds must not
 * duplicate what was committed.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, expect, it } from 'vitest';
import { spawnHost, type ChildHost } from './support/child-host.js';
import { connect, type TestClient } from './support/test-client.js';
import { createTestDatabase, type TestDatabase } from './support/test-database.js';
import { fullHistory, httpJson } from './support/e2e.js';
import { eventually } from './support/eventually.js';

const ADMIN = `admin-${randomUUID()}`;
const CLIENTS = 4;
const WINDOW = 16;
const KILL_AFTER_ACKS = 400;

interface Sent {
  conversationId: string;
  sender: number;
  text: string;
}
interface Acked {
  id: string;
  seq: number;
}

const children: ChildHost[] = [];
const sockets: TestClient[] = [];
let database: TestDatabase | undefined;

afterEach(async () => {
  sockets.splice(0).forEach((s) => s.ws.terminate());
  await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
});
afterAll(async () => {
  await database?.drop();
});

async function startHost(config: object): Promise<ChildHost> {
  const host = await spawnHost({ config, timeoutMs: 45_000 });
  children.push(host);
  return host;
}

async function open(host: ChildHost, token: string): Promise<TestClient> {
  const client = await connect(host.wsUrl, token);
  sockets.push(client);
  return client;
}

async function createUsers(host: ChildHost, count: number) {
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const handle = `crash_${i}_${randomUUID().slice(0, 6)}`;
      const created = await httpJson(host.url, 'POST', '/v1/admin/users', {
        token: ADMIN,
        body: { handle, displayName: `C${i}`, password: 'crash-password' },
      });
      expect(created.status).toBe(201);
      const login = await httpJson(host.url, 'POST', '/v1/auth/login', {
        body: { handle, password: 'crash-password' },
      });
      expect(login.status).toBe(200);
      return { id: created.body.id as string, token: login.body.token as string };
    }),
  );
}

const sendFrame = (clientMsgId: string, s: Sent) => ({
  type: 'send',
  conversationId: s.conversationId,
  clientMsgId,
  content: { type: 'text', text: s.text },
});

it('every acknowledged message survives SIGKILL, seqs stay contiguous and resends do not duplicate', async () => {
  database = await createTestDatabase();
  const config = {
    server: { host: '127.0.0.1', port: 0 },
    database: { url: database.url, schema: database.schema },
    auth: { adminToken: ADMIN },
    dataDir: mkdtempSync(join(tmpdir(), 'switchboard-crash-')),
    websocket: { framesPerSecond: 100_000, burst: 100_000 },
  };
  const first = await startHost(config);
  const users = await createUsers(first, CLIENTS);
  const group = await httpJson(first.url, 'POST', '/v1/conversations', {
    token: users[0]!.token,
    body: { title: 'crash', memberIds: users.slice(1).map((u) => u.id) },
  });
  expect(group.status).toBe(201);
  const direct = await httpJson(first.url, 'POST', '/v1/conversations/direct', {
    token: users[0]!.token,
    body: { userId: users[1]!.id },
  });
  expect(direct.status).toBe(200);
  const conversations = [group.body.id as string, direct.body.id as string];
  // Clients 0 and 1 alternate between the group and their direct conversation; the others use the group.
  const targets = (sender: number) => (sender < 2 ? conversations : [conversations[0]!]);

  const sent = new Map<string, Sent>();
  const acked = new Map<string, Acked>();
  const clients = await Promise.all(users.map((u) => open(first, u.token)));

  const pump = async (client: TestClient, sender: number) => {
    const inflight = new Set<Promise<void>>();
    for (let n = 0; client.ws.readyState === client.ws.OPEN; n++) {
      const clientMsgId = randomUUID();
      const list = targets(sender);
      const s: Sent = { conversationId: list[n % list.length]!, sender, text: `crash ${sender}/${n} ${clientMsgId}` };
      sent.set(clientMsgId, s);
      const p: Promise<void> = client
        .request(sendFrame(clientMsgId, s), 20_000)
        .then((r) => {
          acked.set(clientMsgId, { id: r.message.id, seq: r.message.seq });
        })
        .catch(() => {
          /* unanswered: the host died */
        })
        .finally(() => {
          inflight.delete(p);
        });
      inflight.add(p);
      if (inflight.size >= WINDOW) await Promise.race(inflight);
    }
    await Promise.allSettled([...inflight]);
  };
  const pumps = clients.map((c, i) => pump(c, i));

  await eventually(() => acked.size >= KILL_AFTER_ACKS, {
    timeoutMs: 60_000,
    intervalMs: 5,
    what: `${KILL_AFTER_ACKS} acknowledged sends`,
  });
  await first.kill('SIGKILL');
  await Promise.all(pumps);
  const ackedAtCrash = new Map(acked);
  expect(ackedAtCrash.size).toBeGreaterThanOrEqual(KILL_AFTER_ACKS);
  expect(sent.size).toBeGreaterThan(ackedAtCrash.size); // the kill really happened mid-load

  const second = await startHost(config);
  const before = new Map<string, any>();
  for (const conversationId of conversations) {
    const history = await fullHistory(second.url, users[0]!.token, conversationId);
    expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
    for (const m of history) if (m.clientMsgId) before.set(m.clientMsgId, m);
  }
  for (const [clientMsgId, a] of ackedAtCrash) {
    const m = before.get(clientMsgId);
    expect(m, `acked message ${clientMsgId} is missing after the crash`).toBeDefined();
    expect({ id: m.id, seq: m.seq, conversationId: m.conversationId }).toEqual({
      ...a,
      conversationId: sent.get(clientMsgId)!.conversationId,
    });
  }
  for (const clientMsgId of before.keys()) expect(sent.has(clientMsgId)).toBe(true);

  // Resend every unanswered send, and a sample of answered ones, after the restart.
  const again = await Promise.all(users.map((u) => open(second, u.token)));
  const unanswered = [...sent.keys()].filter((id) => !ackedAtCrash.has(id));
  const sample = [...ackedAtCrash.keys()].slice(0, 20);
  await Promise.all(
    [...unanswered, ...sample].map(async (clientMsgId) => {
      const s = sent.get(clientMsgId)!;
      const result = await again[s.sender]!.request(sendFrame(clientMsgId, s), 20_000);
      const committed = before.get(clientMsgId);
      if (committed) {
        expect(result.duplicate).toBe(true);
        expect({ id: result.message.id, seq: result.message.seq }).toEqual({ id: committed.id, seq: committed.seq });
      } else {
        expect(result.duplicate).toBe(false);
      }
    }),
  );

  // Now every send exists exactly once, and seqs are still 1..lastSeq.
  const counts = new Map<string, number>();
  for (const conversationId of conversations) {
    const history = await fullHistory(second.url, users[0]!.token, conversationId);
    expect(history.map((m) => m.seq)).toEqual(history.map((_, i) => i + 1));
    for (const m of history) if (m.clientMsgId) counts.set(m.clientMsgId, (counts.get(m.clientMsgId) ?? 0) + 1);
  }
  expect([...counts.values()].every((c) => c === 1)).toBe(true);
  expect(new Set(counts.keys())).toEqual(new Set(sent.keys()));
}, 180_000);
