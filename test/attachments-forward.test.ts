/**
 * Forwarding a message with files: the forward gets attachment rows of its own, in the target
 * conversation, naming the original's blobs. Members of the target fetch them without being in
 * the source; the blobs stay while any row names them, the original deleted or not.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { eventually } from './support/eventually.js';
import {
  binaryBytes,
  fetchFile,
  movableClock,
  recordingBlobStore,
  sendFiles,
  uploaded,
} from './support/attachment-helpers.js';
import { cameraJpeg } from './support/image-fixtures.js';
import { blobHashOf } from '../host/attachments/blob-store.js';

const HOUR = 3600_000;

describe('forwarding attachments', () => {
  let host: TestHost;
  let ada: TestUser;
  let bob: TestUser;
  let carol: TestUser;
  let clock: ReturnType<typeof movableClock>;
  let store: ReturnType<typeof recordingBlobStore>;

  beforeEach(async () => {
    clock = movableClock();
    store = recordingBlobStore();
    host = await startTestHost({
      clock,
      blobStore: store.factory,
      config: { attachments: { unsentTtlSeconds: 60, sweepIntervalSeconds: 1 } },
    });
    [ada, bob, carol] = await Promise.all([host.createUser(), host.createUser(), host.createUser()]);
  });
  afterEach(() => host.stop());

  const view = (user: TestUser, id: string) => host.http('GET', `/v1/attachments/${id}`, { token: user.token });

  it('lets the target’s members fetch the copy, not the original, and keeps the bytes past the original', async () => {
    const direct = await host.direct(ada, bob);
    const group = await host.createGroup(ada, [carol]);
    const photo = await cameraJpeg();
    const { messageId, attachmentIds } = await sendFiles(host, bob, direct.id, [
      { name: 'photo.jpg', bytes: photo, type: 'image/jpeg' },
    ]);
    const original = await view(bob, attachmentIds[0]!);
    const originalBytes = (await fetchFile(host, original.body.url)).bytes;
    const originalThumb = (await fetchFile(host, original.body.thumbnailUrl)).bytes;

    const adas = await host.connect(ada.token);
    const sent = await adas.request({
      type: 'send',
      conversationId: group.id,
      clientMsgId: randomUUID(),
      forwardOf: { conversationId: direct.id, messageId },
    });
    const [copy] = sent.message.attachments;
    expect(copy).toMatchObject({ name: 'photo.jpg', mimeType: original.body.mimeType, hasThumbnail: true });
    expect(copy.id).not.toBe(attachmentIds[0]);

    // Carol is in the group only: the copy is hers to fetch, the original stays unknown to her.
    const seen = await view(carol, copy.id);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ conversationId: group.id, messageId: sent.message.id });
    expect((await fetchFile(host, seen.body.url)).bytes.equals(originalBytes)).toBe(true);
    expect((await fetchFile(host, seen.body.thumbnailUrl)).bytes.equals(originalThumb)).toBe(true);
    expect((await view(carol, attachmentIds[0]!)).status).toBe(404);

    // Bob deletes the original: its row goes, the blob stays for the forward's.
    const bobs = await host.connect(bob.token);
    await bobs.request({ type: 'delete', conversationId: direct.id, messageId });
    expect((await view(bob, attachmentIds[0]!)).status).toBe(404);
    const unsentBytes = binaryBytes(64, 9);
    await uploaded(host, ada, unsentBytes, 'unsent.bin');
    clock.advance(2 * HOUR);
    // A sweep has run past the grace time once the unsent upload's bytes are gone.
    await eventually(() => store.deletes.includes(blobHashOf(unsentBytes)), { what: 'a sweep past the grace time' });
    expect(store.deletes).toHaveLength(1);
    const after = await view(carol, copy.id);
    expect((await fetchFile(host, after.body.url)).bytes.equals(originalBytes)).toBe(true);
    expect((await fetchFile(host, after.body.thumbnailUrl)).bytes.equals(originalThumb)).toBe(true);
  });
});
