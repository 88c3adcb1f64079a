/**
 * The upload quota under concurrency: uploads by one person at once each reserve their bytes
 * under a lock, so together they never pass attachments.quotaBytes, and an upload that fails
 * gives its reservation back.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Knex } from 'knex';
import { startTestHost, type TestHost, type TestUser } from './support/start-test-host.js';
import { binaryBytes, inspectDatabase, upload, uploaded } from './support/attachment-helpers.js';
import { eventually } from './support/eventually.js';
import { stagedBytes, startCutUpload, streamUpload } from './support/streamed-upload.js';

const KIB = 1024;
const QUOTA = 100 * KIB;

describe('upload quota under concurrent uploads', () => {
  let host: TestHost;
  let alice: TestUser;

  beforeEach(async () => {
    host = await startTestHost({ config: { attachments: { maxBytes: 64 * KIB, quotaBytes: QUOTA } } });
    alice = await host.createUser();
  });
  afterEach(() => host.stop());

  it('lets exactly the uploads that fit through when they all run at once', async () => {
    // 30 KiB each against 100 KiB: three fit, whichever three come first.
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => upload(host, alice, binaryBytes(30 * KIB, 100 + i), `part-${i}.bin`)),
    );
    const accepted = results.filter((r) => r.status === 201);
    const refused = results.filter((r) => r.status !== 201);
    expect(accepted).toHaveLength(3);
    expect(refused).toHaveLength(5);
    for (const r of refused) {
      expect(r.status).toBe(413);
      expect(r.body.error.code).toBe('attachment_quota_exceeded');
    }
    const stored = await inspectDatabase(host, usage);
    expect(stored).toEqual({ attachments: 3, used: 90 * KIB, blobs: 90 * KIB, reservations: 0 });
  });

  it('cuts a body sent without a length where the quota ends, and takes one that fits', async () => {
    await uploaded(host, alice, binaryBytes(60 * KIB, 1), 'first.bin');
    await uploaded(host, alice, binaryBytes(30 * KIB, 2), 'second.bin');
    // 10 KiB left: a 20 KiB stream is refused as it passes them (or its connection closed first).
    const over = await streamUpload(host, alice, [binaryBytes(8 * KIB, 3), binaryBytes(12 * KIB, 4)]);
    if (over) expect([over.status, over.body.error.code]).toEqual([413, 'attachment_quota_exceeded']);
    const fits = await streamUpload(host, alice, [binaryBytes(4 * KIB, 5), binaryBytes(4 * KIB, 6)]);
    expect(fits?.status).toBe(201);
    expect(fits?.body.size).toBe(8 * KIB);
    const stored = await inspectDatabase(host, usage);
    expect(stored).toEqual({ attachments: 3, used: 98 * KIB, blobs: 98 * KIB, reservations: 0 });
  });
});

describe('upload quota and an upload cut off', () => {
  let host: TestHost;
  let alice: TestUser;

  beforeEach(async () => {
    host = await startTestHost({ config: { attachments: { maxBytes: 1024 * KIB, quotaBytes: 1024 * KIB } } });
    alice = await host.createUser();
  });
  afterEach(() => host.stop());

  it('gives back what an upload reserved when it fails midway', async () => {
    // The cut upload reserves 900 KiB of the 1024 before reading; once its bytes are being staged
    // (past the sniffed head, and a 256 KiB row on PostgreSQL), it holds that reservation for sure.
    const socket = await startCutUpload(host, alice, 900 * KIB, binaryBytes(600 * KIB, 7));
    await eventually(async () => (await stagedBytes(host)) > 0, { what: 'the cut upload to be staged' });
    // A probe whose declared type is wrong: refused for the quota while the reservation is held,
    // for its type (415) once there is room, so probing never stores anything.
    const probe = async () =>
      (await upload(host, alice, binaryBytes(200 * KIB, 8), 'probe.bin', 'image/png')).body.error.code;
    expect(await probe()).toBe('attachment_quota_exceeded');
    socket.destroy();
    await eventually(async () => (await probe()) === 'attachment_type_mismatch', {
      what: 'the reservation to be released',
    });
    expect((await upload(host, alice, binaryBytes(900 * KIB, 8), 'after.bin')).status).toBe(201);
    const stored = await inspectDatabase(host, usage);
    expect(stored).toEqual({ attachments: 1, used: 900 * KIB, blobs: 900 * KIB, reservations: 0 });
  });
});

/** What the database says the user holds: their attachments, and the blobs and reservations behind them. */
async function usage(db: Knex): Promise<{ attachments: number; used: number; blobs: number; reservations: number }> {
  const rows = await db('attachments').select<{ size: number; blob_hash: string }[]>('size', 'blob_hash');
  const blobs = await db('blobs').select<{ size: number }[]>('size');
  const reservations = await db('attachment_reservations').count({ n: '*' }).first<{ n: number | string }>();
  return {
    attachments: rows.length,
    used: rows.reduce((sum, r) => sum + Number(r.size), 0),
    blobs: blobs.reduce((sum, b) => sum + Number(b.size), 0),
    reservations: Number(reservations.n),
  };
}
