/**
 * Misbehaving clients on real authenticated sockets: bad frames, oversize and invalid frames,
 * and floods (slow readers and dead peers: slow-and-silent-peers.test.ts). Each case ends by checking that the host still serves a
 * fresh client and that every acknowledged message is still in history.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RequestError, type TestClient } from './support/test-client.js';
import { closeCodeWithin, fullHistory, ping, sleep } from './support/e2e.js';
import { expectHostHealthy, openRoom, sendAcked, type Room } from './support/bad-client-room.js';

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

  it('a second auth frame: invalid_request with details, and the connection keeps its session', async () => {
    const error = errorOf(client, null);
    client.sendRaw({ type: 'auth', token: room.bob.token });
    expect(await error).toMatchObject({ code: 'invalid_request', details: [{ path: '/type' }] });
    await sendAcked(room, client, 'still the same session');
  });

  it('a key given twice in a frame: the last one counts (as JSON.parse reads it)', async () => {
    const pong = client.waitFor((f) => f.type === 'pong' && f.replyTo === 'dup-last', 5000);
    client.sendRaw('{"type":"ping","id":"dup-first","id":"dup-last"}');
    expect(await pong).toEqual({ type: 'pong', replyTo: 'dup-last' });
    const sent = client.waitFor((f) => f.type === 'result' && f.replyTo === 'dup-send', 5000);
    const content = '{"type":"text","text":"first","text":"last"}';
    client.sendRaw(
      `{"type":"send","id":"dup-send","conversationId":"${room.conversationId}","clientMsgId":"${randomUUID()}","content":${content}}`,
    );
    const { message } = (await sent).data;
    room.acked.push(message.id);
    expect(message.content).toEqual({ type: 'text', text: 'last' });
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
    // The close reason is the catalog code of 4008, as for every close but 4001's first-frame faults.
    expect((await client.closed).reason).toBe('rate_limited');
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
