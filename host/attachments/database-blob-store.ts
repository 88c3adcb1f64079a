import { createHash, randomBytes } from 'node:crypto';
import type { Knex } from 'knex';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { BlobStore, StagedBlob } from './blob-store.js';
import { assertBlobHash } from './blob-store.js';

/** 256 KiB: a range read fetches only the chunks it covers, and one row never holds a whole video. */
export const BLOB_CHUNK_BYTES = 256 * 1024;

/** Rows a `put` sends in one statement: 2 MiB, so a photo is one round trip and one commit. */
const CHUNKS_PER_STATEMENT = 8;

/**
 * Blobs as rows of `blob_chunks(hash, idx, data)` in the PostgreSQL database the hosts share: every
 * host reads what any other wrote, pg_dump backs the files up with the messages that refer to them,
 * and there is no large-object lifetime to manage (a deleted row is gone; an orphaned large object
 * would need vacuumlo). A blob's chunks are written in one transaction, so a reader sees all of
 * them or none; two hosts writing the same hash at once insert the same rows, and the second's
 * `on conflict do nothing` keeps the first's.
 *
 * A streamed write (`stage`) inserts each chunk as it is complete under a staging key (`s`, the
 * start time, a random part: never a hash, which is hex) and renames its rows to the hash at the
 * end, in one statement; no transaction stays open (nor a pooled connection held) while a client
 * takes its time sending.
 */
export class DatabaseBlobStore implements BlobStore {
  constructor(private readonly knex: Knex) {}

  async put(hash: string, bytes: Uint8Array): Promise<void> {
    assertBlobHash(hash);
    const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    // An empty blob still gets its one (empty) chunk, so stat finds it.
    const count = Math.max(1, Math.ceil(data.length / BLOB_CHUNK_BYTES));
    const rows = Array.from({ length: count }, (_, idx) => ({
      hash,
      idx,
      data: data.subarray(idx * BLOB_CHUNK_BYTES, (idx + 1) * BLOB_CHUNK_BYTES),
    }));
    // A blob already stored (the same bytes uploaded again) keeps its rows. No stat first: a
    // repeat is rare, and asking first cost every upload a round trip while images are decoded
    // on the same two cores.
    // One statement is one transaction; a bigger blob is several statements in one.
    if (count <= CHUNKS_PER_STATEMENT) await insertChunks(this.knex, rows);
    else
      await this.knex.transaction(async (trx) => {
        for (let i = 0; i < count; i += CHUNKS_PER_STATEMENT)
          await insertChunks(trx, rows.slice(i, i + CHUNKS_PER_STATEMENT));
      });
  }

  async stage(source: AsyncIterable<Uint8Array>): Promise<StagedBlob> {
    const key = stagingKey(Date.now());
    const hasher = createHash('sha256');
    let size = 0;
    let idx = 0;
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    // Every chunk but the last has exactly BLOB_CHUNK_BYTES: readRange finds an offset's chunk by division.
    const flush = async (all: boolean) => {
      let joined = Buffer.concat(pending, pendingBytes);
      while (joined.length >= BLOB_CHUNK_BYTES || (all && (joined.length > 0 || idx === 0))) {
        const data = joined.subarray(0, BLOB_CHUNK_BYTES);
        await insertChunks(this.knex, [{ hash: key, idx: idx++, data }], 'fail');
        joined = joined.subarray(data.length);
      }
      pending = [joined];
      pendingBytes = joined.length;
    };
    const discard = async () => {
      await this.knex('blob_chunks').where({ hash: key }).delete();
    };
    try {
      for await (const chunk of source) {
        hasher.update(chunk);
        size += chunk.byteLength;
        pending.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        pendingBytes += chunk.byteLength;
        if (pendingBytes >= BLOB_CHUNK_BYTES) await flush(false);
      }
      await flush(true);
    } catch (err) {
      await discard();
      throw err;
    }
    const hash = hasher.digest('hex');
    return {
      hash,
      size,
      discard,
      commit: () =>
        this.publish(key, hash).catch(async (err: unknown) => {
          await discard();
          // Another host published the same bytes between the check and the rename: they are stored.
          if (!isUniqueViolation(err)) throw err;
        }),
    };
  }

  async sweepStaged(before: number): Promise<number> {
    // A range on the primary key: staging keys start with `s`, which no hex hash does.
    const keys = await this.knex('blob_chunks')
      .where('hash', '>=', 's')
      .andWhere('hash', '<', 't')
      .distinct<{ hash: string }[]>('hash');
    const stale = keys.map((k) => k.hash).filter((key) => stagedAt(key) < before);
    if (stale.length > 0) await this.knex('blob_chunks').whereIn('hash', stale).delete();
    return stale.length;
  }

  /** The staged rows become the blob's, unless the blob is there already (then they go). */
  private async publish(key: string, hash: string): Promise<void> {
    await this.knex.transaction(async (trx) => {
      const stored = await trx('blob_chunks').where({ hash }).first<{ idx: number } | undefined>('idx');
      if (stored) await trx('blob_chunks').where({ hash: key }).delete();
      // Staged rows go only an hour after the upload began (sweepStaged), far past the HTTP
      // request timeout: none moved would mean a clock gone wrong, not an upload to accept.
      else if ((await trx('blob_chunks').where({ hash: key }).update({ hash })) === 0)
        throw new Error(`the staged rows of blob ${hash} are gone`);
    });
  }

  async read(hash: string): Promise<Buffer | null> {
    assertBlobHash(hash);
    const rows = await this.knex('blob_chunks').where({ hash }).orderBy('idx').select<{ data: Buffer }[]>('data');
    return rows.length === 0 ? null : Buffer.concat(rows.map((r) => r.data));
  }

  async readRange(hash: string, start: number, end: number): Promise<Buffer | null> {
    assertBlobHash(hash);
    const first = Math.floor(start / BLOB_CHUNK_BYTES);
    const last = Math.floor(end / BLOB_CHUNK_BYTES);
    const rows = await this.knex('blob_chunks')
      .where({ hash })
      .whereBetween('idx', [first, last])
      .orderBy('idx')
      .select<{ data: Buffer }[]>('data');
    if (rows.length === 0) return (await this.stat(hash)) ? Buffer.alloc(0) : null;
    const joined = Buffer.concat(rows.map((r) => r.data));
    const offset = start - first * BLOB_CHUNK_BYTES;
    return joined.subarray(offset, offset + (end - start + 1));
  }

  async stat(hash: string): Promise<{ size: number } | null> {
    assertBlobHash(hash);
    // octet_length reads the size from an out-of-line value's pointer, without fetching its bytes.
    const row = await this.knex('blob_chunks')
      .where({ hash })
      .first<{ size: string | number | null; chunks: string | number }>(
        this.knex.raw('sum(octet_length(data)) as size'),
        this.knex.raw('count(*) as chunks'),
      );
    return row && Number(row.chunks) > 0 ? { size: Number(row.size ?? 0) } : null;
  }

  async delete(hash: string): Promise<void> {
    assertBlobHash(hash);
    await this.knex('blob_chunks').where({ hash }).delete();
  }
}

type ChunkRow = { hash: string; idx: number; data: Buffer };

/**
 * Inserts chunks through a named statement, one per row count: each pooled connection parses and
 * plans it once (the session keeps generic plans, open-database.ts). Planning an unnamed insert
 * folds each 256 KiB parameter into the plan as a constant and copies it several times: with four
 * concurrent uploads the database spent about a third more CPU a MB that way (12.0 ms against
 * 9.3 ms named, in the warmest of four paired rounds).
 * A staged chunk's key is new, so a conflict there is an error (`fail`); a blob's rows may be
 * stored already, and then they are kept.
 */
function insertChunks(db: Knex, rows: readonly ChunkRow[], onConflict: 'ignore' | 'fail' = 'ignore'): Promise<unknown> {
  const values = rows.map(() => '(?, ?, ?)').join(', ');
  const conflict = onConflict === 'ignore' ? ' on conflict (hash, idx) do nothing' : '';
  return db
    .raw(
      `insert into blob_chunks (hash, idx, data) values ${values}${conflict}`,
      rows.flatMap((r) => [r.hash, r.idx, r.data]),
    )
    .options({ name: `switchboard_blob_chunks_${onConflict}_${rows.length}` });
}

/** `s`, the time in ms (15 digits), `-`, 32 random hex digits: 49 characters, sortable by time. */
function stagingKey(now: number): string {
  return `s${String(now).padStart(15, '0')}-${randomBytes(16).toString('hex')}`;
}

function stagedAt(key: string): number {
  const ms = Number(key.slice(1, 16));
  // A key of another form is not this store's staging: never treated as stale.
  return Number.isFinite(ms) && /^s\d{15}-[0-9a-f]{32}$/.test(key) ? ms : Infinity;
}
