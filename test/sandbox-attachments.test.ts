/**
 * Apps and files: a sandboxed app reads the files of its conversations and sends its own, under
 * attachments.read and attachments.write, with bytes copied across the boundary as base64 and
 * bounded per call; without the permission the call throws the typed PermissionDeniedError.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import type { TestHost, TestUser } from './support/start-test-host.js';
import { repoRoot } from './support/e2e.js';
import { enable, roomWith } from './support/plugin-helpers.js';
import { appManifest, runOp, startSandboxHost } from './support/sandbox-helpers.js';
import { binaryBytes, fetchFile, uploaded } from './support/attachment-helpers.js';
import { ATTACHMENT_READ_PART } from '../sdk/plugin/capabilities/attachments.js';
import { cameraJpeg, exifHasGps, plainPng } from './support/image-fixtures.js';

const FILER_ENTRY = `${repoRoot}/test/fixtures/apps/filer/index.ts`;
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

function filerManifest(id: string, permissions: Record<string, object>) {
  return appManifest(id, {
    entry: FILER_ENTRY,
    permissions: { commands: {}, 'messages.send': {}, ...permissions },
    // Building and copying half a megabyte of base64 is real work for an isolate on a busy machine.
    limits: { cpuMsPerEvent: 1000 },
  });
}

describe('sandboxed apps and attachments', () => {
  let host: TestHost;
  let ada: TestUser;
  let room: any;
  let peekRoom: any;
  let elsewhere: any;
  let photo: any;

  beforeAll(async () => {
    ({ host, user: ada } = await startSandboxHost(
      [
        enable(filerManifest('filer', { 'attachments.read': {}, 'attachments.write': {} })),
        enable(filerManifest('peeker', {})),
      ],
      ['filer', 'peeker'],
    ));
    // Both apps answer /run: each gets a room of its own.
    room = await roomWith(host, ada, ['filer']);
    peekRoom = await roomWith(host, ada, ['peeker']);
    elsewhere = await host.createGroup(ada, [], 'No bots here');
    const upload = await uploaded(host, ada, await plainPng(900, 300), 'chart.png');
    const sent = await host.http('POST', `/v1/conversations/${room.id}/messages`, {
      token: ada.token,
      body: { clientMsgId: 'chart', content: { type: 'text', text: 'the chart' }, attachmentIds: [upload.id] },
    });
    expect(sent.status).toBe(201);
    photo = upload;
  });
  afterAll(() => host?.stop());

  it('reads a file of its conversation: the same bytes the members get, whole, in parts, or the preview', async () => {
    const original = (
      await fetchFile(host, (await host.http('GET', `/v1/attachments/${photo.id}`, { token: ada.token })).body.url)
    ).bytes;
    const whole = await runOp(host, ada, room.id, `read ${photo.id}`);
    expect(whole.value.attachment).toEqual({
      id: photo.id,
      name: 'chart.png',
      mimeType: 'image/png',
      size: original.length,
      width: 900,
      height: 300,
      hasThumbnail: true,
    });
    expect([whole.value.offset, whole.value.length, whole.value.size]).toEqual([0, original.length, original.length]);
    expect(whole.value.dataSha256).toBe(sha256(Buffer.from(original.toString('base64'))));

    const part = await runOp(host, ada, room.id, `read ${photo.id} 100 50`);
    expect(Buffer.from(part.value.data, 'base64').equals(original.subarray(100, 150))).toBe(true);
    const pastEnd = await runOp(host, ada, room.id, `read ${photo.id} ${original.length + 10} 50`);
    expect([pastEnd.value.data, pastEnd.value.length, pastEnd.value.size]).toEqual(['', 0, original.length]);

    const preview = await runOp(host, ada, room.id, `read ${photo.id} 0 0 thumbnail`);
    expect(preview.value.data).toBe('');
    const thumbnail = (
      await fetchFile(
        host,
        (await host.http('GET', `/v1/attachments/${photo.id}`, { token: ada.token })).body.thumbnailUrl,
      )
    ).bytes;
    expect(preview.value.size).toBe(thumbnail.length);
    const thumb = await runOp(host, ada, room.id, `read ${photo.id} 0 2000 thumbnail`);
    expect(Buffer.from(thumb.value.data, 'base64').equals(thumbnail.subarray(0, 2000))).toBe(true);
  });

  it('reads a file larger than one call in parts that join into the whole', async () => {
    const big = binaryBytes(1_200_000, 7);
    const upload = await uploaded(host, ada, big, 'big.bin');
    await host.http('POST', `/v1/conversations/${room.id}/messages`, {
      token: ada.token,
      body: { clientMsgId: 'big', content: { type: 'text', text: '' }, attachmentIds: [upload.id] },
    });
    const res = await runOp(host, ada, room.id, `read-all ${upload.id}`);
    // Each part is a slice of the whole file's base64: joined, they are the whole.
    const base64 = big.toString('base64');
    const slice = (ATTACHMENT_READ_PART / 3) * 4;
    const expected = [0, 1, 2].map((i) => sha256(Buffer.from(base64.slice(i * slice, (i + 1) * slice))));
    expect(res.value).toEqual(expected);
  });

  it('cannot read a file of a conversation its bot is not in, as if it did not exist', async () => {
    const outside = await uploaded(host, ada, await plainPng(10, 10), 'private.png');
    await host.http('POST', `/v1/conversations/${elsewhere.id}/messages`, {
      token: ada.token,
      body: { clientMsgId: 'private', content: { type: 'text', text: '' }, attachmentIds: [outside.id] },
    });
    for (const id of [outside.id, '00000000-0000-0000-0000-000000000000']) {
      const res = await runOp(host, ada, room.id, `read ${id}`);
      expect(res.value.error).toMatchObject({ code: 'attachment_not_found', switchboardError: true });
    }
  });

  it("uploads as its bot and sends the file: processed like anyone's, and members fetch it", async () => {
    const jpeg = await cameraJpeg(48, 24);
    const res = await runOp(host, ada, room.id, `upload IMG_7.jpg ${jpeg.toString('base64')}`);
    expect(res.value.attachment).toMatchObject({ name: 'IMG_7.jpg', mimeType: 'image/jpeg', width: 24, height: 48 });
    expect(res.value.message.attachments).toEqual([res.value.attachment]);
    const seen = await host.http('GET', `/v1/attachments/${res.value.attachment.id}`, { token: ada.token });
    expect(seen.body.messageId).toBe(res.value.message.id);
    const stored = await sharp((await fetchFile(host, seen.body.url)).bytes).metadata();
    expect([stored.width, stored.height, exifHasGps(stored.exif)]).toEqual([24, 48, false]);
  });

  it('bounds what one call carries, and refuses text that is not base64', async () => {
    // Past the bound by three bytes, by one byte in text as long as the bound's, and by so much
    // that the base64 alone would be past the boundary's 1 MiB of JSON: the same catalog error.
    for (const op of ['oversize', 'oversize-by-one', 'far-oversize']) {
      const big = await runOp(host, ada, room.id, op);
      expect(big.value.error, op).toMatchObject({
        code: 'attachment_too_large',
        switchboardError: true,
        message: 'A plugin uploads at most 524288 bytes in one call.',
      });
    }
    expect((await runOp(host, ada, room.id, 'at-limit')).value).toEqual({ size: 512 * 1024 });
    // The claim a plugin makes is its `type` argument, not an HTTP header.
    expect((await runOp(host, ada, room.id, 'mismatch')).value.error).toMatchObject({
      code: 'attachment_type_mismatch',
      message: 'The declared type image/png does not match the content (text/plain).',
      details: [{ path: '/0/type', message: 'does not match the content (text/plain)' }],
    });
    const bad = await runOp(host, ada, room.id, 'bad-base64');
    expect(bad.value.error).toMatchObject({ code: 'invalid_request' });
  });

  it('sends at most attachments.maxPerMessage files in a message, as people do', async () => {
    expect((await runOp(host, ada, room.id, 'send-many 10')).value).toEqual({ attachments: 10 });
    expect((await runOp(host, ada, room.id, 'send-many 11')).value.error).toMatchObject({
      code: 'invalid_request',
      details: [{ path: '/attachmentIds', message: 'must have at most 10 items' }],
    });
  });

  it('without the permissions, both calls throw PermissionDeniedError', async () => {
    for (const op of [`read ${photo.id}`, 'upload x.txt aGk=']) {
      const res = await runOp(host, ada, peekRoom.id, op);
      expect(res.value.error).toMatchObject({
        code: 'permission_denied',
        permissionDenied: true,
        switchboardError: true,
        permission: op.startsWith('read') ? 'attachments.read' : 'attachments.write',
      });
    }
  });
});
