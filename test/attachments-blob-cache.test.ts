/**
 * The host keeps recently read and just uploaded files in memory (config `attachments.cache`), so
 * a file many members open is read from the disk or the database once. Held bytes are addressed
 * by their hash and can never be stale; what the cache must not do is stand in for the store when
 * deciding whether bytes need writing, or a file deleted behind it would never be stored again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../host/attachments/blob-store.js';
import { defaultBlobStore } from '../host/attachments/default-blob-store.js';
import type { HostOptions } from '../host/host.js';
import { binaryBytes, fetchFile, uploaded } from './support/attachment-helpers.js';
import { plainPng } from './support/image-fixtures.js';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';

/** The host's real store, with the reads that reach it counted. */
function countingStore() {
  const counts = { read: 0, readRange: 0 };
  let store: BlobStore | null = null;
  const factory: NonNullable<HostOptions['blobStore']> = (db, config) => {
    const inner = defaultBlobStore(db, config);
    store = inner;
    return {
      put: (hash, bytes) => inner.put(hash, bytes),
      read: (hash) => (counts.read++, inner.read(hash)),
      readRange: (hash, start, end) => (counts.readRange++, inner.readRange(hash, start, end)),
      stat: (hash) => inner.stat(hash),
      delete: (hash) => inner.delete(hash),
      stage: (source) => inner.stage!(source),
      sweepStaged: (before) => inner.sweepStaged!(before),
    };
  };
  return { counts, factory, store: () => store! };
}

describe('attachments: files held in memory', () => {
  const small = countingStore();
  const capped = countingStore();
  let host: TestHost;
  let cappedHost: TestHost;
  let alice: TestUser;
  let bob: TestUser;

  beforeAll(async () => {
    host = await startTestHost({ blobStore: small.factory });
    cappedHost = await startTestHost({
      blobStore: capped.factory,
      config: { attachments: { cache: { maxBytes: 1024 * 1024, maxFileBytes: 100 * 1024 } } },
    });
    [alice, bob] = await Promise.all([host.createUser(), host.createUser()]);
  });
  afterAll(async () => {
    await cappedHost?.stop();
    await host?.stop();
  });

  /** Uploads `bytes` and sends them to Bob; the file URL Bob's client would get. */
  const sentToBob = async (on: TestHost, from: TestUser, to: TestUser, bytes: Buffer, name: string) => {
    const up = await uploaded(on, from, bytes, name);
    const group = await on.createGroup(from, [to]);
    const sent = await on.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: from.token,
      body: { clientMsgId: name, content: { type: 'text', text: name }, attachmentIds: [up.id] },
    });
    expect(sent.status).toBe(201);
    const seen = await on.http('GET', `/v1/attachments/${up.id}`, { token: to.token });
    expect(seen.status).toBe(200);
    return { id: up.id as string, hash: up.hash as string | undefined, url: seen.body.url as string };
  };

  it('reads a file many members open from the store once, then serves it and its ranges from memory', async () => {
    const bytes = binaryBytes(300 * 1024, 11);
    const { url } = await sentToBob(host, alice, bob, bytes, 'minutes.bin');
    const before = { ...small.counts };
    // Eight members open it at once, then two more later: one read from the store in all.
    const together = await Promise.all(Array.from({ length: 8 }, () => fetchFile(host, url)));
    const later = [await fetchFile(host, url), await fetchFile(host, url)];
    for (const whole of [...together, ...later]) {
      expect(whole.status).toBe(200);
      expect(whole.bytes.equals(bytes)).toBe(true);
    }
    const range = await fetchFile(host, url, { range: 'bytes=1000-2999' });
    expect(range.status).toBe(206);
    expect(range.bytes.equals(bytes.subarray(1000, 3000))).toBe(true);
    expect(small.counts.read - before.read).toBe(1);
    expect(small.counts.readRange - before.readRange).toBe(0);
  });

  it('never holds a file over attachments.cache.maxFileBytes: each fetch reads the store', async () => {
    const [carol, dan] = await Promise.all([cappedHost.createUser(), cappedHost.createUser()]);
    const bytes = binaryBytes(300 * 1024, 12);
    const { url } = await sentToBob(cappedHost, carol, dan, bytes, 'film.bin');
    const before = capped.counts.read;
    for (let i = 0; i < 3; i++) expect((await fetchFile(cappedHost, url)).bytes.equals(bytes)).toBe(true);
    expect(capped.counts.read - before).toBe(3);
  });

  it('stores an image again after its bytes were deleted behind the cache (a sweep on another host)', async () => {
    const image = await plainPng(40, 30);
    const first = await sentToBob(host, alice, bob, image, 'first.png');
    const row = await host.http('GET', `/v1/attachments/${first.id}`, { token: bob.token });
    const original = await fetchFile(host, first.url);
    expect(original.status).toBe(200);
    const hash = original.headers.get('etag')!.replaceAll('"', '');
    expect(await small.store().stat(hash)).not.toBeNull();

    // Gone from the store while this host still holds it, as when another host swept it.
    await small.store().delete(hash);
    expect(await small.store().stat(hash)).toBeNull();

    const again = await sentToBob(host, bob, alice, image, 'again.png');
    expect(await small.store().stat(hash)).toEqual({ size: original.bytes.length });
    expect((await fetchFile(host, again.url)).bytes.equals(original.bytes)).toBe(true);
    expect(row.body.size).toBe(original.bytes.length);
  });
});
