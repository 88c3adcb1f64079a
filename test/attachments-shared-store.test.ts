/**
 * PostgreSQL: the database is the blob store, so hosts sharing it share the files. Two hosts on one
 * schema: an upload on one is fetched, by range, through the other, with URLs either host signs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { openDirect, testDatabaseKind } from './support/test-database.js';
import { binaryBytes, fetchFile, recordingBlobStore, uploaded } from './support/attachment-helpers.js';

describe.skipIf(testDatabaseKind !== 'postgres')('attachments on several hosts (PostgreSQL)', () => {
  let first: TestHost;
  let second: TestHost;
  let alice: TestUser;
  let bob: TestUser;
  const secondStore = recordingBlobStore();

  beforeAll(async () => {
    first = await startTestHost();
    second = await startTestHost({ database: first.database, blobStore: secondStore.factory });
    [alice, bob] = await Promise.all([first.createUser(), first.createUser()]);
  });
  afterAll(async () => {
    await second.stop();
    await first.stop();
  });

  it('serves through one host what was uploaded through the other', async () => {
    const bytes = binaryBytes(700 * 1024, 6);
    const up = await uploaded(first, alice, bytes, 'film.bin');
    const group = await first.createGroup(alice, [bob]);
    await first.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: alice.token,
      body: { clientMsgId: 'm', content: { type: 'text', text: 'film' }, attachmentIds: [up.id] },
    });
    const seen = await second.http('GET', `/v1/attachments/${up.id}`, { token: bob.token });
    expect(seen.status).toBe(200);
    const whole = await fetchFile(second, seen.body.url);
    expect(whole.bytes.equals(bytes)).toBe(true);
    // A URL the first host signed works on the second: the key is shared through the database.
    const range = await fetchFile(second, up.url, { range: 'bytes=300000-600000' });
    expect(range.status).toBe(206);
    expect(range.bytes.equals(bytes.subarray(300000, 600001))).toBe(true);
    // The same bytes uploaded through the second host are stored once.
    const again = await uploaded(second, bob, bytes, 'copy.bin');
    expect(secondStore.puts).toHaveLength(1);
    expect((await fetchFile(first, again.url)).bytes.equals(bytes)).toBe(true);
    const db = openDirect(first.database);
    try {
      const chunks = await db('blob_chunks')
        .select('hash')
        .count<{ hash: string; n: number }[]>({ n: '*' })
        .groupBy('hash');
      expect(chunks).toEqual([{ hash: secondStore.puts[0], n: 3 }]);
    } finally {
      await db.destroy();
    }
  });
});
