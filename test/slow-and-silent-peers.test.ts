/**
 * Peers that stop reading or stop answering, on real authenticated sockets: a slow consumer is cut
 * off while readers get everything (and a big catch-up is not taken for slowness), and a peer that
 * answers no pings is closed. Each case ends by checking that the host still serves a fresh
 * client and that every acknowledged message is still in history.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeCodeWithin, ping } from './support/e2e.js';
import { eventually } from './support/eventually.js';
import { expectHostHealthy, openRoom, sendAcked, type Room } from './support/bad-client-room.js';
import { METRICS_TOKEN, sample, scrape } from './support/metrics-helpers.js';

describe('slow consumer (maxBufferedBytes 65536)', () => {
  let room: Room;
  beforeAll(async () => {
    room = await openRoom({
      config: {
        websocket: { maxBufferedBytes: 65536 },
        messages: { maxTextLength: 32000 },
        metrics: { token: METRICS_TOKEN },
      },
    });
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
  it('a client that reads nothing meanwhile has its catch-up of 8 MB wait for it, and then gets all of it', async () => {
    const erin = await room.host.createUser();
    const group = await room.host.createGroup(room.ada, [erin]);
    // More than the kernel's socket buffers take from a socket that is not read (about 4 MB).
    const text = 'x'.repeat(32000);
    const count = 256;
    for (let round = 0; round < count / 16; round++) {
      const posted = await Promise.all(
        Array.from({ length: 16 }, () =>
          room.host.http('POST', `/v1/conversations/${group.id}/messages`, {
            token: room.ada.token,
            body: { clientMsgId: randomUUID(), content: { type: 'text', text } },
          }),
        ),
      );
      for (const p of posted) expect(p.status).toBe(201);
    }
    const created = async () =>
      sample(await scrape(room.host), 'switchboard_ws_frames_out_total', { type: 'message.created' }) ?? 0;
    const before = await created();
    const erin1 = await room.host.connect(erin.token);
    (erin1.ws as any)._socket.pause();
    erin1.ws.send(JSON.stringify({ type: 'resume', id: 'r1', conversations: [{ conversationId: group.id, pts: 0 }] }));
    // The catch-up has begun writing, and stops once the socket is full (it used to write all of
    // it in one go, and the reader was then cut off as a slow consumer by its own catch-up).
    await eventually(async () => (await created()) > before, { what: 'the catch-up to start sending' });
    expect(await created()).toBeLessThan(before + count);
    (erin1.ws as any)._socket.resume();
    await erin1.collect((f) => f.type === 'message.created' && f.message.content?.text === text, count, 30_000);
    const result = await eventually(() => erin1.frames.find((f) => f.type === 'result' && f.replyTo === 'r1'));
    expect(result.data.conversations).toEqual([expect.objectContaining({ status: 'caught_up' })]);
    expect(await ping(erin1)).toBe(true);
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

  it('any frame from the client counts as an answer: one that never pongs but sends a frame per ping stays', async () => {
    const talker = await room.host.connect(room.ada.token, { wsOptions: { autoPong: false } });
    let heartbeats = 0;
    talker.ws.on('ping', () => {
      heartbeats++;
      talker.sendRaw({ type: 'ping' });
    });
    await eventually(() => heartbeats >= 4 || talker.ws.readyState !== talker.ws.OPEN, {
      what: 'four heartbeats on a connection that answers with frames, not pongs',
      timeoutMs: 10_000,
    });
    expect(talker.ws.readyState).toBe(talker.ws.OPEN);
    await talker.close();
  });
});
