/**
 * Misbehaving clients on real authenticated sockets: bad frames, oversize and invalid frames,
 * floods, slow readers and dead peers. Each case ends by checking that the host still serves a
 * fresh client and that every acknowledged message is still in history.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { RequestError, type TestClient } from './support/test-client.js';
import { closeCodeWithin, fullHistory, ping, sleep } from './support/e2e.js';
import { eventually } from './support/eventually.js';

interface Room {
  host: TestHost;
  ada: TestUser;
  bob: TestUser;
  conversationId: string;
  acked: string[];
}

async function openRoom(config: Parameters<typeof startTestHost>[0]): Promise<Room> {
  const host = await startTestHost(config);
  const ada = await host.createUser();
  const bob = await host.createUser();
  const group = await host.createGroup(ada, [bob]);
  return { host, ada, bob, conversationId: group.id, acked: [] };
}

/** Sends a text message and records it as acknowledged. */
async function sendAcked(room: Room, client: TestClient, text = 'hello'): Promise<any> {
  const { message } = await client.sendText(room.conversationId, text);
  room.acked.push(message.id);
  return message;
}

/** The host serves a brand-new client, and every acknowledged message is in history. */
async function expectHostHealthy(room: Room): Promise<void> {
  const fresh = await room.host.connect(room.bob.token);
  await sendAcked(room, fresh, 'still here');
  const history = await fullHistory(room.host.url, room.bob.token, room.conversationId);
  const ids = new Set(history.map((m) => m.id));
  expect(room.acked.filter((id) => !ids.has(id))).toEqual([]);
  await fresh.close();
}

/**
 * Sends a text message as a client should while throttled: each rate_limited refusal is resent
 * after the retryAfterMs the host gave, until it is served (within 10 s).
 */
async function sendAckedWhenServed(room: Room, client: TestClient, text: string): Promise<any> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      return await sendAcked(room, client, text);
    } catch (err) {
      if (!(err instanceof RequestError) || err.error.code !== 'rate_limited' || Date.now() > deadline) throw err;
      expect(err.error.retryAfterMs).toBeGreaterThan(0);
      await sleep(err.error.retryAfterMs!);
    }
  }
}

const errorOf = (client: TestClient, replyTo: string | null) =>
  client.waitFor((f) => f.type === 'error' && f.replyTo === replyTo, 5000).then((f) => f.error);

describe('bad frames get an error frame and the connection stays usable', () => {
  let room: Room;
  let client: TestClient;
  beforeAll(async () => {
    room = await openRoom({ config: { websocket: { maxPayloadBytes: 4096 } } });
    client = await room.host.connect(room.ada.token);
    await sendAcked(room, client, 'before anything');
  });
  afterEach(async () => {
    await expectHostHealthy(room);
  });
  afterAll(async () => {
    await room?.host.stop();
  });

  it('malformed JSON: invalid_json with replyTo null, then a send is acknowledged', async () => {
    const error = errorOf(client, null);
    client.sendRaw('{"type":"send","id":"x1",');
    expect((await error).code).toBe('invalid_json');
    await sendAcked(room, client, 'after bad json');
  });

  it('an unknown frame type: unknown_frame_type answering its id', async () => {
    const error = errorOf(client, 'u1');
    client.sendRaw({ type: 'dance', id: 'u1' });
    expect((await error).code).toBe('unknown_frame_type');
    expect(await ping(client)).toBe(true);
  });

  const patches: [string, Record<string, unknown>, string][] = [
    ['conversationId is a number', { conversationId: 5 }, '/conversationId'],
    ['clientMsgId is missing', { clientMsgId: undefined }, '/clientMsgId'],
    ['an extra field', { colour: 'red' }, 'colour'],
    ['content.text is not a string', { content: { type: 'text', text: 42 } }, '/content'],
  ];
  it.each(patches)('%s: invalid_request with details, and nothing is stored', async (_name, patch, where) => {
    const frame = {
      type: 'send',
      conversationId: room.conversationId,
      clientMsgId: randomUUID(),
      content: { type: 'text', text: 'bad' },
      ...patch,
    };
    const err = await client.request(JSON.parse(JSON.stringify(frame))).then(
      () => null,
      (e: RequestError) => e.error,
    );
    expect(err?.code).toBe('invalid_request');
    expect(JSON.stringify(err?.details ?? [])).toContain(where);
    const history = await client.request({ type: 'history', conversationId: room.conversationId, limit: 100 });
    expect(history.messages.filter((m: any) => m.content?.text === 'bad')).toEqual([]);
    await sendAcked(room, client, 'after invalid request');
  });

  it('a binary frame: binary_frame_unsupported, and its content is ignored', async () => {
    const error = client.waitFor((f) => f.type === 'error' && f.error.code === 'binary_frame_unsupported', 5000);
    client.sendRaw(Buffer.from(JSON.stringify({ type: 'ping', id: 'bin1' })), { binary: true });
    await error;
    expect(await ping(client)).toBe(true);
    expect(client.frames.filter((f) => f.type === 'pong' && f.replyTo === 'bin1')).toEqual([]);
  });

  it('a frame over websocket.maxPayloadBytes closes that connection with 1009; others are unaffected', async () => {
    const victim = await room.host.connect(room.bob.token);
    victim.sendRaw({
      type: 'send',
      id: 'big',
      conversationId: room.conversationId,
      clientMsgId: randomUUID(),
      content: { type: 'text', text: 'x'.repeat(5000) },
    });
    expect(await closeCodeWithin(victim, 5000)).toBe(1009);
    expect(await ping(client)).toBe(true);
  });

  it('invalid UTF-8 in a text frame closes that connection with 1007', async () => {
    const victim = await room.host.connect(room.bob.token);
    victim.ws.send(Buffer.from([0xff, 0xfe, 0xfd]), { binary: false });
    expect(await closeCodeWithin(victim, 5000)).toBe(1007);
    expect(await ping(client)).toBe(true);
  });
});

describe('rate limit (framesPerSecond 20, burst 20)', () => {
  let room: Room;
  beforeAll(async () => {
    room = await openRoom({ config: { websocket: { framesPerSecond: 20, burst: 20 } } });
  });
  afterEach(async () => {
    await expectHostHealthy(room);
  });
  afterAll(async () => {
    await room?.host.stop();
  });

  it('frames over the limit are refused with rate_limited and retryAfterMs, and are not processed', async () => {
    const client = await room.host.connect(room.ada.token);
    const flood = Array.from({ length: 30 }, (_, i) => ({ id: `f${i}`, clientMsgId: randomUUID() }));
    const answers = flood.map(({ id }) =>
      client.waitFor((f) => (f.type === 'result' || f.type === 'error') && f.replyTo === id, 10_000),
    );
    for (const { id, clientMsgId } of flood) {
      client.sendRaw({
        type: 'send',
        id,
        conversationId: room.conversationId,
        clientMsgId,
        content: { type: 'text', text: `flood ${clientMsgId}` },
      });
    }
    const settled = await Promise.all(answers);
    const refused = settled.filter((f) => f.type === 'error');
    const accepted = settled.filter((f) => f.type === 'result');
    expect(refused.length).toBeGreaterThan(0);
    for (const f of refused) {
      expect(f.error.code).toBe('rate_limited');
      expect(f.error.retryAfterMs).toBeGreaterThan(0);
    }
    expect(accepted.length).toBeGreaterThanOrEqual(20);
    room.acked.push(...accepted.map((f) => f.data.message.id));

    const history = await room.host.http('GET', `/v1/conversations/${room.conversationId}/messages?limit=100`, {
      token: room.ada.token,
    });
    const stored = new Set(history.body.messages.map((m: any) => m.clientMsgId));
    const refusedIds = new Set(refused.map((f) => f.replyTo));
    for (const { id, clientMsgId } of flood) expect(stored.has(clientMsgId)).toBe(!refusedIds.has(id));

    // Fewer than `burst` refusals: the connection is throttled, not closed. A send made as a
    // client should (resent after each retryAfterMs the host gives) is served on it.
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    await sendAckedWhenServed(room, client, 'after the throttle');
    expect(client.ws.readyState).toBe(client.ws.OPEN);
    await client.close();
  });

  it('a client that keeps flooding is closed with 4008; messages acked before the flood survive', async () => {
    const client = await room.host.connect(room.ada.token);
    for (let i = 0; i < 5; i++) await sendAcked(room, client, `before flood ${i}`);
    for (let i = 0; i < 300 && client.ws.readyState === client.ws.OPEN; i++)
      client.sendRaw({ type: 'ping', id: `p${i}` });
    expect(await closeCodeWithin(client, 5000)).toBe(4008);
    expect(client.frames.some((f) => f.type === 'error' && f.error.code === 'rate_limited')).toBe(true);
  });
});

describe('rate limit: pipelined requests and retryAfterMs (framesPerSecond 10, burst 4)', () => {
  let room: Room;
  beforeAll(async () => {
    room = await openRoom({ config: { websocket: { framesPerSecond: 10, burst: 4 } } });
  });
  afterEach(async () => {
    await expectHostHealthy(room);
  });
  afterAll(async () => {
    await room?.host.stop();
  });

  /** Pipelines sends of `texts`; each refused one is resent per `onRefused`. Resolves with the refusals seen. */
  async function pipeline(
    client: TestClient,
    texts: string[],
    onRefused: (retryAfterMs: number) => Promise<void>,
  ): Promise<{ refusals: number; results: any[] }> {
    let refusals = 0;
    const results = await Promise.all(
      texts.map(async (text, i) => {
        const clientMsgId = randomUUID();
        for (let attempt = 0; ; attempt++) {
          const id = `${text}-${i}-${attempt}`;
          const answer = client.waitFor((f) => (f.type === 'result' || f.type === 'error') && f.replyTo === id, 20_000);
          client.sendRaw({
            type: 'send',
            id,
            conversationId: room.conversationId,
            clientMsgId,
            content: { type: 'text', text: `${text} ${i}` },
          });
          const f = await answer;
          if (f.type === 'result') return f.data;
          expect(f.error.code).toBe('rate_limited');
          expect(f.error.retryAfterMs).toBeGreaterThan(0);
          refusals++;
          await onRefused(f.error.retryAfterMs);
        }
      }),
    );
    return { refusals, results };
  }

  it('a client that pipelines 7 sends and resends each refused one after its retryAfterMs has every one served and stays open', async () => {
    const client = await room.host.connect(room.ada.token);
    let refusals = 0;
    // Three rounds back to back (each well past the burst), so the connection lives through
    // several seconds of being throttled.
    for (let round = 0; round < 3; round++) {
      const texts = Array.from({ length: 7 }, () => `round${round}`);
      const out = await pipeline(client, texts, (ms) => sleep(ms));
      refusals += out.refusals;
      for (const r of out.results) {
        expect(r.duplicate).toBe(false);
        room.acked.push(r.message.id);
      }
      expect(client.ws.readyState).toBe(client.ws.OPEN);
    }
    expect(refusals).toBeGreaterThanOrEqual(3);
    const history = await fullHistory(room.host.url, room.ada.token, room.conversationId);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 7; i++) expect(history.filter((m) => m.content.text === `round${round} ${i}`).length).toBe(1);
    }
    await client.close();
  });

  it('a client that ignores retryAfterMs, sending again at once with 7 frames always in flight, is closed with 4008', async () => {
    const client = await room.host.connect(room.ada.token);
    let n = 0;
    const sendOne = () => {
      if (client.ws.readyState === client.ws.OPEN) client.sendRaw({ type: 'ping', id: `impatient${n++}` });
    };
    // Every answer, pong or rate_limited, is followed at once by another frame.
    client.ws.on('message', sendOne);
    for (let i = 0; i < 7; i++) sendOne();
    expect(await closeCodeWithin(client, 20_000)).toBe(4008);
    expect(client.frames.some((f) => f.type === 'error' && f.error.code === 'rate_limited')).toBe(true);
  });

  it('every frame counts: bad JSON and binary frames are refused over the limit too', async () => {
    const client = await room.host.connect(room.ada.token);
    for (let i = 0; i < 8; i++) client.sendRaw('{"not json', { binary: i % 2 === 1 });
    const answers = await client.collect((f) => f.type === 'error', 8);
    expect(answers.filter((f) => f.error.code === 'rate_limited').length).toBe(4);
    expect(answers.filter((f) => f.error.code !== 'rate_limited').length).toBe(4);
    await client.close();
  });
});

describe('slow consumer (maxBufferedBytes 65536)', () => {
  let room: Room;
  beforeAll(async () => {
    room = await openRoom({ config: { websocket: { maxBufferedBytes: 65536 } } });
  });
  afterAll(async () => {
    await room?.host.stop();
  });

  it('a client that stops reading is disconnected; a reading client gets every message', async () => {
    const carol = await room.host.createUser();
    room.conversationId = (await room.host.createGroup(room.ada, [room.bob, carol])).id;
    const reader = await room.host.connect(room.bob.token);
    await reader.request({ type: 'presence.subscribe', userIds: [carol.id] });
    const stalled = await room.host.connect(carol.token);
    // Only a pause so Carol's connection settles before her socket stops reading; nothing below depends on the frame, so a missing one is no failure.
    await reader
      .waitFor((f) => f.type === 'presence' && f.userId === carol.id && f.status === 'online', 5000)
      .catch(() => null);
    (stalled.ws as any)._socket.pause();

    // Ada posts over HTTP, 4 messages of ~8 KB at a time, and waits until Bob has them, so Bob's
    // buffer stays far under the limit while Carol's grows past it (and past the kernel's socket
    // buffers, a few MB). Carol going offline tells Bob, and us, that the host dropped her.
    const text = 'z'.repeat(8000);
    const carolGone = () =>
      reader.frames.some((f) => f.type === 'presence' && f.userId === carol.id && f.status === 'offline');
    for (let round = 0; round < 500 && !carolGone(); round++) {
      const posted = await Promise.all(
        Array.from({ length: 4 }, () =>
          room.host.http('POST', `/v1/conversations/${room.conversationId}/messages`, {
            token: room.ada.token,
            body: { clientMsgId: randomUUID(), content: { type: 'text', text } },
          }),
        ),
      );
      for (const p of posted) {
        expect(p.status).toBe(201);
        room.acked.push(p.body.message.id);
      }
      await reader.collect(
        (f) => f.type === 'message.created' && f.message.content?.text === text,
        room.acked.length,
        10_000,
      );
    }
    const created = reader.frames.filter((f) => f.type === 'message.created' && f.message.content?.text === text);
    expect(new Set(created.map((f) => f.message.id))).toEqual(new Set(room.acked));
    expect(created.length).toBe(room.acked.length);
    const seqs = created.map((f) => f.message.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));

    // Carol is offline once the host has cut her socket off: its close frame (4009) was queued
    // behind what she never read, so it cannot reach her, and her socket just ends (1006).
    await eventually(carolGone, { what: 'Carol to go offline' });
    (stalled.ws as any)._socket.resume();
    const code = await closeCodeWithin(stalled, 30_000);
    expect(code).toBe(1006);
    expect(stalled.frames.filter((f) => f.type === 'message.created').length).toBeLessThan(room.acked.length);
    expect(await ping(reader)).toBe(true);
    await expectHostHealthy(room);
  }, 120_000);

  it('a reading client whose catch-up is more than the limit at once is not taken for a slow one', async () => {
    const dave = await room.host.createUser();
    const group = await room.host.createGroup(room.ada, [dave]);
    // 40 messages of 4 KB: a catch-up of about 160 KB, sent in one turn of the host's event loop
    // (one write), past the limit of 64 KiB until the kernel has taken it.
    const text = 'y'.repeat(4000);
    for (let i = 0; i < 40; i++) {
      const posted = await room.host.http('POST', `/v1/conversations/${group.id}/messages`, {
        token: room.ada.token,
        body: { clientMsgId: randomUUID(), content: { type: 'text', text } },
      });
      expect(posted.status).toBe(201);
    }
    const dave1 = await room.host.connect(dave.token);
    const result = await dave1.request<any>({
      type: 'resume',
      id: randomUUID(),
      conversations: [{ conversationId: group.id, pts: 0 }],
    });
    expect(result.conversations).toEqual([expect.objectContaining({ conversationId: group.id, status: 'caught_up' })]);
    const caughtUp = dave1.frames.filter((f) => f.type === 'message.created' && f.message.content?.text === text);
    expect(caughtUp).toHaveLength(40);
    expect(await ping(dave1)).toBe(true);
  });
});

describe('heartbeat (heartbeatIntervalMs 200)', () => {
  let room: Room;
  beforeAll(async () => {
    room = await openRoom({ config: { websocket: { heartbeatIntervalMs: 200 } } });
  });
  afterAll(async () => {
    await room?.host.stop();
  });

  it('a client that does not answer pings is closed; one that does stays connected', async () => {
    const healthy = await room.host.connect(room.ada.token);
    let heartbeats = 0;
    healthy.ws.on('ping', () => {
      heartbeats++;
    });
    await sendAcked(room, healthy, 'before the silence');
    const silent = await room.host.connect(room.bob.token, { wsOptions: { autoPong: false } });
    // It still reads, so the close frame reaches it.
    const code = await closeCodeWithin(silent, 3000);
    expect(code).toBe(4010);
    // Three more heartbeats reach the healthy client: each new one means the host checked the
    // pong to the one before and kept the connection (the check that closed the silent one).
    const seen = heartbeats;
    await eventually(() => heartbeats >= seen + 3 || healthy.ws.readyState !== healthy.ws.OPEN, {
      what: 'three more heartbeats on the healthy connection',
      timeoutMs: 10_000,
    });
    expect(healthy.ws.readyState).toBe(healthy.ws.OPEN);
    expect(await ping(healthy)).toBe(true);
    await expectHostHealthy(room);
  });
});
