/**
 * Uploads (POST /v1/attachments): the type comes from the content, the request's Content-Type is a
 * claim, size and quota limits refuse before anything is stored, and equal bytes are stored once.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { readdir } from 'node:fs/promises';
import { connect } from 'node:net';
import type { Knex } from 'knex';
import {
  binaryBytes,
  fetchFile,
  inspectDatabase,
  recordingBlobStore,
  upload,
  uploaded,
} from './support/attachment-helpers.js';
import { plainPng } from './support/image-fixtures.js';

describe('attachment uploads', () => {
  let host: TestHost;
  let alice: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let store: ReturnType<typeof recordingBlobStore>;

  beforeEach(async () => {
    store = recordingBlobStore();
    host = await startTestHost({
      config: { attachments: { maxBytes: 64 * 1024, quotaBytes: 100 * 1024 } },
      blobStore: store.factory,
    });
    [alice, bob, carol] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
  });
  afterEach(() => host.stop());

  it('uploads, sends and lets a member fetch it; a non-member gets 404 like an unknown id', async () => {
    const group = await host.createGroup(alice, [bob]);
    const bytes = binaryBytes(5000);
    const up = await upload(host, alice, bytes, 'report.bin');
    expect(up.status).toBe(201);
    expect(up.body).toMatchObject({ name: 'report.bin', mimeType: 'application/octet-stream', size: 5000 });
    expect(up.body.messageId).toBeNull();

    // Before it is sent, only its owner sees it.
    expect((await host.http('GET', `/v1/attachments/${up.body.id}`, { token: bob.token })).status).toBe(404);

    const sent = await host.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: alice.token,
      body: { clientMsgId: 'm1', content: { type: 'text', text: '' }, attachmentIds: [up.body.id] },
    });
    expect(sent.status).toBe(201);
    expect(sent.body.message.attachments).toEqual([
      {
        id: up.body.id,
        name: 'report.bin',
        mimeType: 'application/octet-stream',
        size: 5000,
        width: null,
        height: null,
        hasThumbnail: false,
      },
    ]);

    const seen = await host.http('GET', `/v1/attachments/${up.body.id}`, { token: bob.token });
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ conversationId: group.id, messageId: sent.body.message.id });
    const file = await fetchFile(host, seen.body.url);
    expect(file.status).toBe(200);
    expect(file.bytes.equals(bytes)).toBe(true);

    const history = await host.http('GET', `/v1/conversations/${group.id}/messages`, { token: bob.token });
    expect(history.body.messages.at(-1).attachments.map((a: { id: string }) => a.id)).toEqual([up.body.id]);

    const stranger = await host.http('GET', `/v1/attachments/${up.body.id}`, { token: carol.token });
    const unknown = await host.http('GET', `/v1/attachments/00000000-0000-0000-0000-000000000000`, {
      token: carol.token,
    });
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('attachment_not_found');
    expect(unknown.body.error.code).toBe('attachment_not_found');
    expect(stranger.body.error.message).toBe(unknown.body.error.message);
  });

  it('takes the type from the content, never from the name', async () => {
    const png = await uploaded(host, alice, await plainPng(8, 4), 'notes.txt');
    expect(png).toMatchObject({ mimeType: 'image/png', width: 8, height: 4, hasThumbnail: true });
    const page = await uploaded(host, alice, '<html><script>alert(1)</script></html>', 'cat.png');
    expect(page).toMatchObject({ mimeType: 'text/plain', width: null, hasThumbnail: false });
    const blob = await uploaded(host, alice, binaryBytes(100), 'song.mp3');
    expect(blob.mimeType).toBe('application/octet-stream');
  });

  it('refuses a declared Content-Type the content contradicts with 415', async () => {
    const lie = await upload(host, alice, '<svg onload=alert(1)>', 'x.png', 'image/png');
    expect(lie.status).toBe(415);
    expect(lie.body.error.code).toBe('attachment_type_mismatch');
    // The same words fit a plugin's `type` argument, the other way a type is claimed.
    expect(lie.body.error.message).toBe('The declared type image/png does not match the content (text/plain).');
    const png = await plainPng(4, 4);
    expect((await upload(host, alice, png, 'x.jpg', 'image/jpeg')).body.error.code).toBe('attachment_type_mismatch');
    // A right claim, a generic one and a text type for text all pass.
    expect((await upload(host, alice, png, 'a.png', 'image/png')).status).toBe(201);
    expect((await upload(host, alice, png, 'b.png', 'application/octet-stream')).status).toBe(201);
    expect((await upload(host, alice, 'a,b\n1,2\n', 'c.csv', 'text/csv; charset=utf-8')).body.mimeType).toBe(
      'text/plain',
    );
  });

  it('refuses an upload past attachments.maxBytes with 413 and keeps serving', async () => {
    const res = await upload(host, alice, binaryBytes(64 * 1024 + 1), 'big.bin');
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('attachment_too_large');
    // Streamed without a Content-Length: the host stops reading at the limit and answers.
    const streamed = await fetch(`${host.url}/v1/attachments?name=big.bin`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice.token}` },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 20; i++) controller.enqueue(binaryBytes(16 * 1024, i + 2));
          controller.close();
        },
      }),
      duplex: 'half',
    }).then(
      async (r) => ({ status: r.status, body: (await r.json()) as any }),
      () => null,
    );
    // The answer comes before the body ends: a client sees it, or only the connection closing.
    if (streamed) expect(streamed.body.error.code).toBe('attachment_too_large');
    expect(store.puts).toEqual([]);
    expect((await upload(host, alice, binaryBytes(1000), 'small.bin')).status).toBe(201);
    expect((await host.http('GET', '/v1/conversations', { token: alice.token })).status).toBe(200);
    expect(await inspectDatabase(host, (db) => count(db, 'attachments'))).toBe(1);
  });

  it('refuses an upload past the quota with 413 and stores nothing', async () => {
    await uploaded(host, alice, binaryBytes(60 * 1024, 3), 'one.bin');
    expect(store.puts).toHaveLength(1);
    const over = await upload(host, alice, binaryBytes(50 * 1024, 4), 'two.bin');
    expect(over.status).toBe(413);
    expect(over.body.error.code).toBe('attachment_quota_exceeded');
    expect(store.puts).toHaveLength(1);
    // The quota is per user.
    expect((await upload(host, bob, binaryBytes(50 * 1024, 4), 'two.bin')).status).toBe(201);
    const counts = await inspectDatabase(host, async (db) => [
      await count(db, 'attachments'),
      await count(db, 'blobs'),
    ]);
    expect(counts).toEqual([2, 2]);
  });

  it('stores the same bytes once for two uploads', async () => {
    const bytes = binaryBytes(3000, 9);
    const a = await uploaded(host, alice, bytes, 'a.bin');
    const b = await uploaded(host, bob, bytes, 'b.bin');
    expect(a.id).not.toBe(b.id);
    expect((await fetchFile(host, b.url)).bytes.equals(bytes)).toBe(true);
    // Both uploads asked the store for one hash, and it holds one blob.
    expect(new Set(store.puts).size).toBe(1);
    if (host.database.url.startsWith('sqlite:')) expect(await filesIn(host)).toEqual([store.puts[0]]);
    const stored = await inspectDatabase(host, async (db) => ({
      hashes: (await db('attachments').select<{ blob_hash: string }[]>('blob_hash')).map((r) => r.blob_hash),
      blobs: await count(db, 'blobs'),
      chunked: Number(((await db('blob_chunks').countDistinct({ n: 'hash' }).first()) as { n: number }).n),
    }));
    expect(stored.hashes).toEqual([store.puts[0], store.puts[0]]);
    expect(stored.blobs).toBe(1);
    expect(stored.chunked).toBe(host.database.url.startsWith('sqlite:') ? 0 : 1);
  });

  it('stores nothing of an upload cut off midway, and keeps serving', async () => {
    const { port } = new URL(host.url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    socket.write(
      `POST /v1/attachments?name=cut.bin HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${alice.token}\r\n` +
        'Content-Length: 40000\r\n\r\n',
    );
    socket.write(binaryBytes(10_000));
    socket.destroy();
    expect((await upload(host, alice, binaryBytes(100, 21), 'after.bin')).status).toBe(201);
    expect(store.puts).toHaveLength(1);
    expect(await inspectDatabase(host, (db) => count(db, 'attachments'))).toBe(1);
  });

  it('refuses a missing name or token', async () => {
    const unnamed = await host.http('POST', '/v1/attachments', { token: alice.token, rawBody: Buffer.from('x') });
    expect(unnamed.body.error.code).toBe('invalid_request');
    expect((await upload(host, null, 'x', 'a.txt')).status).toBe(401);
    expect((await upload(host, alice, 'x', '../..')).body.error.code).toBe('invalid_request');
  });
});

async function count(db: Knex, table: string): Promise<number> {
  return Number(((await db(table).count({ n: '*' }).first()) as { n: number }).n);
}

/** The blob files of an SQLite host's directory (temporary files aside). */
async function filesIn(host: TestHost): Promise<string[]> {
  const entries = await readdir(host.config.attachments.dir!, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && !e.parentPath.endsWith('tmp'))
    .map((e) => e.name)
    .sort();
}
