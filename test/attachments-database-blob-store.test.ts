/**
 * PostgreSQL's blob store, on a migrated schema: a blob is written in one statement when it fits
 * (a photo: one round trip, one commit), in one transaction of several when it does not, and
 * writing the same bytes again, or at the same time, keeps one copy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { blobHashOf } from '../host/attachments/blob-store.js';
import { BLOB_CHUNK_BYTES, DatabaseBlobStore } from '../host/attachments/database-blob-store.js';
import { binaryBytes } from './support/attachment-helpers.js';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { openDirect, testDatabaseKind } from './support/test-database.js';

describe.skipIf(testDatabaseKind !== 'postgres')('the PostgreSQL blob store', () => {
  let host: TestHost;
  let db: Knex;
  let store: DatabaseBlobStore;

  beforeAll(async () => {
    host = await startTestHost();
    db = openDirect(host.database);
    store = new DatabaseBlobStore(db);
  });
  afterAll(async () => {
    await db.destroy();
    await host.stop();
  });

  const chunkSizes = async (hash: string) =>
    (
      await db('blob_chunks').where({ hash }).orderBy('idx').select<{ n: number }[]>(db.raw('octet_length(data) as n'))
    ).map((r) => Number(r.n));

  it.each([
    ['a photo, in one statement', 3 * BLOB_CHUNK_BYTES + 1234],
    ['a blob past one statement, in one transaction', 19 * BLOB_CHUNK_BYTES + 7],
    ['exactly one chunk', BLOB_CHUNK_BYTES],
    ['an empty blob', 0],
  ])('stores %s whole, in chunks a range read can find', async (_name, size) => {
    const bytes = binaryBytes(size, size % 251);
    const hash = blobHashOf(bytes);
    await store.put(hash, bytes);
    expect((await store.read(hash))!.equals(bytes)).toBe(true);
    expect(await store.stat(hash)).toEqual({ size });
    const sizes = await chunkSizes(hash);
    expect(sizes).toHaveLength(Math.max(1, Math.ceil(size / BLOB_CHUNK_BYTES)));
    expect(sizes.slice(0, -1).every((n) => n === BLOB_CHUNK_BYTES)).toBe(true);
    if (size > BLOB_CHUNK_BYTES) {
      const start = BLOB_CHUNK_BYTES - 10;
      const end = size - 3;
      expect((await store.readRange(hash, start, end))!.equals(bytes.subarray(start, end + 1))).toBe(true);
    }
  });

  it('keeps one copy of bytes written again, or by two writers at once', async () => {
    const bytes = binaryBytes(10 * BLOB_CHUNK_BYTES + 99, 17);
    const hash = blobHashOf(bytes);
    await Promise.all([store.put(hash, bytes), store.put(hash, bytes)]);
    await store.put(hash, bytes);
    expect(await chunkSizes(hash)).toHaveLength(11);
    expect((await store.read(hash))!.equals(bytes)).toBe(true);
  });
});
