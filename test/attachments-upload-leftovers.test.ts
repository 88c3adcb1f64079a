/**
 * What a host stopped in the middle of an upload leaves behind (it never got to clean up): its
 * quota reservation stops counting once it expires, and the sweep deletes it and the bytes the
 * upload had staged (a file in tmp/ on SQLite, `s…` rows of blob_chunks on PostgreSQL).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestHost, type TestHost } from './support/start-test-host.js';
import { binaryBytes, movableClock, upload } from './support/attachment-helpers.js';
import { eventually } from './support/eventually.js';
import { stagedBytes } from './support/streamed-upload.js';
import { openDirect } from './support/test-database.js';

const KIB = 1024;
const HOUR = 60 * 60 * 1000;

describe('leftovers of an upload a stopped host never finished', () => {
  const hosts: TestHost[] = [];
  afterEach(async () => {
    // The later host borrows the first one's database: it stops first, the first then drops it.
    for (const h of hosts.reverse()) await h.stop();
    hosts.length = 0;
  });

  it('stops counting the reservation once expired, and sweeps it and the staged bytes', async () => {
    const clock = movableClock();
    const config = { attachments: { maxBytes: 64 * KIB, quotaBytes: 100 * KIB, sweepIntervalSeconds: 1 } };
    const first = await startTestHost({ clock, config });
    hosts.push(first);
    const alice = await first.createUser();
    await first.stopHostOnly();

    // As the stopped host left them: a live reservation of 90 KiB, and bytes staged two hours ago.
    const db = openDirect(first.database);
    try {
      await db('attachment_reservations').insert({
        id: randomUUID(),
        owner_id: alice.id,
        bytes: 90 * KIB,
        expires_at: clock.now() + HOUR,
      });
    } finally {
      await db.destroy();
    }
    await leaveStaged(first);

    const host = await startTestHost({ clock, config, database: first.database });
    hosts.push(host);
    await eventually(async () => (await stagedBytes(host)) === 0, { what: 'the staged bytes to be swept' });

    // A probe with a wrong declared type: refused for the quota while the reservation counts, for its type after.
    const probe = async () =>
      (await upload(host, alice, binaryBytes(20 * KIB), 'probe.bin', 'image/png')).body.error.code;
    expect(await probe()).toBe('attachment_quota_exceeded');
    clock.advance(HOUR + 1000);
    expect(await probe()).toBe('attachment_type_mismatch');
    expect((await upload(host, alice, binaryBytes(45 * KIB), 'fits.bin')).status).toBe(201);

    // Two more leftovers swept one after the other: the second's pass began after the clock moved.
    for (let i = 0; i < 2; i++) {
      await leaveStaged(host);
      await eventually(async () => (await stagedBytes(host)) === 0, { what: 'a sweep pass' });
    }
    await host.stopHostOnly();
    const left = openDirect(first.database);
    try {
      expect(await left('attachment_reservations').select('id')).toEqual([]);
    } finally {
      await left.destroy();
    }
  });
});

/** Bytes staged two hours ago by an upload that never ended, as the host's store keeps them. */
async function leaveStaged(host: TestHost): Promise<void> {
  const then = Date.now() - 2 * HOUR;
  if (host.database.url.startsWith('sqlite:')) {
    const tmp = join(host.config.attachments.dir!, 'tmp');
    await mkdir(tmp, { recursive: true });
    const file = join(tmp, `stage.${randomUUID()}`);
    await writeFile(file, binaryBytes(1000));
    await utimes(file, new Date(then), new Date(then));
    return;
  }
  const db = openDirect(host.database);
  try {
    const key = `s${String(then).padStart(15, '0')}-${randomBytes(16).toString('hex')}`;
    await db('blob_chunks').insert({ hash: key, idx: 0, data: binaryBytes(1000) });
  } finally {
    await db.destroy();
  }
}
