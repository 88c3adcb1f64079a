/**
 * The sweep: uploads never sent are deleted after attachments.unsentTtlSeconds, and blobs nothing
 * refers to after the grace time, but never a blob an upload is storing again at that moment. The
 * host's clock is moved instead of waiting; the sweep runs every second here.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';
import {
  binaryBytes,
  fetchFile,
  movableClock,
  recordingBlobStore,
  upload,
  uploaded,
} from './support/attachment-helpers.js';
import { blobHashOf } from '../host/attachments/blob-store.js';

const HOUR = 3600_000;

describe('attachment cleanup', () => {
  let host: TestHost;
  let alice: TestUser;
  let clock: ReturnType<typeof movableClock>;
  let store: ReturnType<typeof recordingBlobStore>;
  /** Hashes whose put, once done, waits here until released: the gap before the upload's row is written. */
  const held = new Map<string, Promise<void>>();

  beforeEach(async () => {
    clock = movableClock();
    store = recordingBlobStore(async (hash) => held.get(hash));
    host = await startTestHost({
      clock,
      blobStore: store.factory,
      config: { attachments: { unsentTtlSeconds: 60, sweepIntervalSeconds: 1 } },
    });
    alice = await host.createUser();
  });
  afterEach(async () => {
    held.clear();
    await host.stop();
  });

  it('deletes uploads never sent after the TTL, and then their bytes', async () => {
    const group = await host.createGroup(alice, []);
    const unsentBytes = binaryBytes(100, 1);
    const sentBytes = binaryBytes(100, 2);
    const unsent = await uploaded(host, alice, unsentBytes, 'unsent.bin');
    const sent = await uploaded(host, alice, sentBytes, 'sent.bin');
    await host.http('POST', `/v1/conversations/${group.id}/messages`, {
      token: alice.token,
      body: { clientMsgId: 'm', content: { type: 'text', text: 'keep' }, attachmentIds: [sent.id] },
    });
    clock.advance(61_000);
    await eventually(
      async () => (await host.http('GET', `/v1/attachments/${unsent.id}`, { token: alice.token })).status === 404,
      {
        what: 'the unsent upload to be swept',
      },
    );
    // The bytes stay for the grace time, then go; the sent attachment keeps its own.
    expect(store.deletes).toEqual([]);
    clock.advance(HOUR);
    await eventually(() => store.deletes.includes(blobHashOf(unsentBytes)), {
      what: 'the unreferenced blob to be deleted',
    });
    expect(store.deletes).not.toContain(blobHashOf(sentBytes));
    const kept = await host.http('GET', `/v1/attachments/${sent.id}`, { token: alice.token });
    expect((await fetchFile(host, kept.body.url)).bytes.equals(sentBytes)).toBe(true);
  });

  it('keeps bytes two messages share until both are deleted', async () => {
    const group = await host.createGroup(alice, []);
    const client = await host.connect(alice.token);
    const bytes = binaryBytes(100, 3);
    const sendWith = async (name: string) => {
      const up = await uploaded(host, alice, bytes, name);
      const sent = await client.request({
        type: 'send',
        conversationId: group.id,
        clientMsgId: name,
        content: { type: 'text', text: '' },
        attachmentIds: [up.id],
      });
      return { up, messageId: sent.message.id as string };
    };
    const first = await sendWith('a.bin');
    const second = await sendWith('b.bin');
    await client.request({ type: 'delete', conversationId: group.id, messageId: first.messageId });
    clock.advance(HOUR + 1000);
    // Passes run and find the blob still referenced by the second message.
    const marker = binaryBytes(50, 8);
    await uploaded(host, alice, marker, 'marker.bin');
    clock.advance(HOUR + 61_000);
    await eventually(() => store.deletes.includes(blobHashOf(marker)), { what: 'a sweep pass' });
    expect(store.deletes).not.toContain(blobHashOf(bytes));
    const seen = await host.http('GET', `/v1/attachments/${second.up.id}`, { token: alice.token });
    expect((await fetchFile(host, seen.body.url)).bytes.equals(bytes)).toBe(true);
    await client.request({ type: 'delete', conversationId: group.id, messageId: second.messageId });
    await eventually(() => store.deletes.includes(blobHashOf(bytes)), { what: 'the blob to be deleted' });
  });

  it('never deletes a blob an upload is storing again while the sweep runs', async () => {
    const racing = binaryBytes(200, 4);
    const marker = binaryBytes(200, 5);
    // Both uploads are old and unsent: the next passes delete their rows, then their blobs.
    await uploaded(host, alice, racing, 'first.bin');
    await uploaded(host, alice, marker, 'marker.bin');
    clock.advance(HOUR + 61_000);
    // The same bytes again: stored (the blob exists, so nothing is written), then held before the row is.
    let release!: () => void;
    held.set(blobHashOf(racing), new Promise<void>((resolve) => (release = resolve)));
    const again = upload(host, alice, racing, 'again.bin');
    await eventually(() => store.puts.filter((h) => h === blobHashOf(racing)).length === 2, { what: 'the second put' });
    // A pass that deletes the marker's blob has judged the racing blob too (same hash order chunk).
    await eventually(() => store.deletes.includes(blobHashOf(marker)), { what: 'a sweep pass over both blobs' });
    release();
    const res = await again;
    expect(res.status).toBe(201);
    expect(store.deletes).not.toContain(blobHashOf(racing));
    expect((await fetchFile(host, res.body.url)).bytes.equals(racing)).toBe(true);
  });
});
