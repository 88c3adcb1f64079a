/**
 * Uploads that are not images go to the blob store as they arrive (a temporary file on SQLite,
 * staged 256 KiB rows on PostgreSQL), hashed on the way: what comes back is what was sent, equal
 * bytes are kept once, and an upload that ends early (cut off, or past maxBytes) leaves nothing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import type { Knex } from 'knex';
import { BLOB_CHUNK_BYTES } from '../host/attachments/database-blob-store.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { binaryBytes, fetchFile, inspectDatabase, upload } from './support/attachment-helpers.js';
import { eventually } from './support/eventually.js';
import { stagedBytes, startCutUpload, streamUpload } from './support/streamed-upload.js';

const MIB = 1024 * 1024;

describe('streamed uploads', () => {
  let host: TestHost;
  let alice: TestUser;
  let bob: TestUser;

  beforeEach(async () => {
    host = await startTestHost({ config: { attachments: { maxBytes: 24 * MIB, quotaBytes: 200 * MIB } } });
    [alice, bob] = await Promise.all([host.createUser(), host.createUser()]);
  });
  afterEach(() => host.stop());

  it('stores a 20 MB body sent in pieces and serves it back byte for byte, ranges too', async () => {
    const bytes = binaryBytes(20_000_000, 5);
    const res = await streamUpload(host, alice, pieces(bytes, MIB), 'big.bin');
    expect(res?.status, JSON.stringify(res?.body)).toBe(201);
    expect(res!.body).toMatchObject({ mimeType: 'application/octet-stream', size: bytes.length });
    const whole = await fetchFile(host, res!.body.url);
    expect(whole.bytes.equals(bytes)).toBe(true);
    // A range across a chunk boundary: a staged row of the wrong size would shift it.
    const start = 3 * BLOB_CHUNK_BYTES - 100;
    const part = await fetchFile(host, res!.body.url, { range: `bytes=${start}-${start + 299}` });
    expect(part.status).toBe(206);
    expect(part.bytes.equals(bytes.subarray(start, start + 300))).toBe(true);
    expect(await stagedBytes(host)).toBe(0);
    const layout = await inspectDatabase(host, (db) => stored(db, host));
    if (isPostgres(host)) {
      const sizes = layout.chunkSizes;
      expect(sizes).toHaveLength(Math.ceil(bytes.length / BLOB_CHUNK_BYTES));
      expect(sizes.slice(0, -1).every((n) => n === BLOB_CHUNK_BYTES)).toBe(true);
      expect(sizes.at(-1)).toBe(bytes.length % BLOB_CHUNK_BYTES);
    }
    expect(layout.blobSizes).toEqual([bytes.length]);
  });

  it('keeps two identical uploads streamed at once as one blob', async () => {
    const bytes = binaryBytes(3 * MIB + 123, 6);
    const [a, b] = await Promise.all([
      streamUpload(host, alice, pieces(bytes, 256 * 1024), 'a.bin'),
      streamUpload(host, bob, pieces(bytes, 100_000), 'b.bin'),
    ]);
    expect([a?.status, b?.status]).toEqual([201, 201]);
    expect((await fetchFile(host, b!.body.url)).bytes.equals(bytes)).toBe(true);
    expect(await stagedBytes(host)).toBe(0);
    const layout = await inspectDatabase(host, (db) => stored(db, host));
    expect(layout.attachmentHashes).toHaveLength(2);
    expect(new Set(layout.attachmentHashes).size).toBe(1);
    expect(layout.blobSizes).toEqual([bytes.length]);
    expect(layout.storedHashes).toEqual([layout.attachmentHashes[0]]);
  });

  it('leaves nothing of an upload whose client goes away midway', async () => {
    const socket = await startCutUpload(host, alice, 8 * MIB, binaryBytes(2 * MIB, 7));
    // It is being stored as it comes: the cut happens with bytes already staged.
    await eventually(async () => (await stagedBytes(host)) > 0, { what: 'the upload to be staged' });
    socket.destroy();
    await eventually(async () => (await stagedBytes(host)) === 0, { what: 'the staged bytes to go' });
    expect((await upload(host, alice, binaryBytes(1000, 8), 'after.bin')).status).toBe(201);
    const layout = await inspectDatabase(host, (db) => stored(db, host));
    expect(layout.blobSizes).toEqual([1000]);
    expect(layout.storedHashes).toEqual(layout.attachmentHashes);
    expect(layout.reservations).toBe(0);
  });

  it('stops a body past maxBytes as it streams and keeps none of it', async () => {
    const res = await streamUpload(host, alice, pieces(binaryBytes(26 * MIB, 9), MIB), 'huge.bin');
    // The answer comes before the body ends: a client sees it, or only the connection closing.
    if (res) expect([res.status, res.body.error.code]).toEqual([413, 'attachment_too_large']);
    await eventually(async () => (await stagedBytes(host)) === 0, { what: 'the staged bytes to go' });
    const layout = await inspectDatabase(host, (db) => stored(db, host));
    expect(layout).toMatchObject({ attachmentHashes: [], blobSizes: [], storedHashes: [], reservations: 0 });
  });

  it('decides text from all of a streamed body, not only its first pieces', async () => {
    // "é" is two bytes: with an odd offset, one of them ends a piece and the other starts the next.
    const text = Buffer.from('a' + 'é'.repeat(60_000));
    const plain = await streamUpload(host, alice, pieces(text, 1001), 'notes.txt');
    expect(plain?.body).toMatchObject({ mimeType: 'text/plain', size: text.length });
    const late = Buffer.concat([Buffer.from('x'.repeat(200_000)), Buffer.from([0]), Buffer.from('tail')]);
    const binary = await streamUpload(host, alice, pieces(late, 64 * 1024), 'log.txt');
    expect(binary?.body).toMatchObject({ mimeType: 'application/octet-stream', size: late.length });
  });
});

function isPostgres(host: TestHost): boolean {
  return !host.database.url.startsWith('sqlite:');
}

function* pieces(bytes: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** The attachments' hashes, the blobs table, and the bytes in the store (files, or chunk rows). */
async function stored(db: Knex, host: TestHost) {
  const attachmentHashes = (
    await db('attachments').orderBy('created_at').select<{ blob_hash: string }[]>('blob_hash')
  ).map((r) => r.blob_hash);
  const blobSizes = (await db('blobs').select<{ size: number }[]>('size')).map((r) => Number(r.size));
  const reservations = Number(
    (await db('attachment_reservations').count({ n: '*' }).first<{ n: string | number }>()).n,
  );
  if (isPostgres(host)) {
    const rows = await db('blob_chunks')
      .orderBy(['hash', 'idx'])
      .select<{ hash: string; size: number }[]>('hash', db.raw('octet_length(data) as size'));
    const storedHashes = [...new Set(rows.map((r) => r.hash))];
    return { attachmentHashes, blobSizes, reservations, storedHashes, chunkSizes: rows.map((r) => Number(r.size)) };
  }
  const dir = host.config.attachments.dir!;
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = entries.filter((e) => e.isFile() && !e.parentPath.endsWith('tmp'));
  return { attachmentHashes, blobSizes, reservations, storedHashes: files.map((f) => f.name), chunkSizes: [] };
}
