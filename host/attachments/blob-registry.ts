import type { Knex } from 'knex';
import { inject, injectable } from 'tsyringe';
import { Tokens } from '../core/container-tokens.js';
import type { Clock } from '../core/clock.js';
import type { Database } from '../db/open-database.js';
import type { BlobStore, StagedBlob } from './blob-store.js';
import { blobHashOf, BlobStoreToken } from './blob-store.js';
import { whereUnreferenced } from './blob-references.js';

/**
 * How long a blob stays after an upload stored it, referenced or not. An upload stores its bytes
 * first and writes the row that refers to them after; the sweep leaves any blob touched within
 * this time, so that row is never left naming deleted bytes. Far longer than an upload takes.
 */
export const BLOB_GRACE_MS = 60 * 60 * 1000;

const SWEEP_CHUNK = 200;

/**
 * The `blobs` table beside the store: which hashes exist, their sizes, and when an upload last
 * stored each. Uploads go through `store`, the sweep through `sweep`; together they keep a blob
 * that is being uploaded again from being deleted under it (see `sweep`).
 */
@injectable()
export class BlobRegistry {
  constructor(
    @inject(Tokens.Database) private readonly db: Database,
    @inject(BlobStoreToken) private readonly bytes: BlobStore,
    @inject(Tokens.Clock) private readonly clock: Clock,
  ) {}

  /**
   * Stores each blob (deduplicated by hash) and returns the hashes. The caller must write the row
   * that refers to them within BLOB_GRACE_MS; until then the fresh `touched_at` protects them.
   */
  async store(blobs: readonly Uint8Array[]): Promise<string[]> {
    const entries = blobs.map((bytes) => ({ hash: blobHashOf(bytes), bytes }));
    await this.touch(entries.map((e) => ({ hash: e.hash, size: e.bytes.byteLength })));
    // At once: an image and its thumbnail wait on one write (an fsync, a commit), not two in turn.
    await Promise.all(entries.map((e) => this.bytes.put(e.hash, e.bytes)));
    return entries.map((e) => e.hash);
  }

  /** As `store`, for bytes the store has staged (a streamed upload): publishes them under their hash. */
  async storeStaged(staged: StagedBlob): Promise<string> {
    await this.touch([{ hash: staged.hash, size: staged.size }]);
    await staged.commit();
    return staged.hash;
  }

  /**
   * The touch comes before the bytes: a sweep deleting this hash holds its row until it has
   * deleted the bytes too, so this waits for it and then stores them again.
   */
  private async touch(blobs: readonly { hash: string; size: number }[]): Promise<void> {
    const now = this.clock.now();
    const rows = [...new Map(blobs.map((b) => [b.hash, b])).values()].map((b) => ({
      hash: b.hash,
      size: b.size,
      created_at: now,
      touched_at: now,
    }));
    await this.db.knex('blobs').insert(rows).onConflict('hash').merge(['touched_at']);
  }

  /** Removes staged bytes of uploads a stopped host left unfinished, once older than the grace time. */
  sweepStaged(): Promise<number> {
    return this.bytes.sweepStaged?.(this.clock.now() - BLOB_GRACE_MS) ?? Promise.resolve(0);
  }

  /**
   * Deletes blobs that no row refers to and that no upload touched within the grace time; returns
   * how many. Each chunk is one transaction that locks the rows (PostgreSQL; SQLite has one writer),
   * deletes them and then the bytes, so an upload touching one of these hashes meanwhile waits and
   * stores the bytes again afterwards.
   * Safe on several hosts at once: a row two sweeps pick is deleted by one of them.
   */
  async sweep(): Promise<number> {
    const cutoff = this.clock.now() - BLOB_GRACE_MS;
    let removed = 0;
    let after = '';
    for (;;) {
      const candidates = await this.candidates(this.db.knex, cutoff, after);
      if (candidates.length === 0) return removed;
      after = candidates[candidates.length - 1]!;
      const gone = await this.db.knex.transaction(async (trx) => {
        // Locked, and checked again once locked: a touch that committed meanwhile makes it fresh.
        const q = whereUnreferenced(trx('blobs').whereIn('hash', candidates).andWhere('touched_at', '<', cutoff), trx);
        const locked = await (this.db.kind === 'postgres' ? q.forUpdate() : q).select<{ hash: string }[]>('hash');
        const doomed = locked.map((r) => r.hash);
        if (doomed.length === 0) return 0;
        await trx('blobs').whereIn('hash', doomed).delete();
        for (const hash of doomed) await this.bytes.delete(hash);
        return doomed.length;
      });
      // Fewer deleted than picked: the rest were taken by another host, or touched again.
      removed += gone;
      if (candidates.length < SWEEP_CHUNK) return removed;
    }
  }

  private async candidates(knex: Knex, cutoff: number, after: string): Promise<string[]> {
    const rows = await whereUnreferenced(
      knex('blobs').where('touched_at', '<', cutoff).andWhere('hash', '>', after),
      knex,
    )
      .orderBy('hash')
      .limit(SWEEP_CHUNK)
      .select<{ hash: string }[]>('hash');
    return rows.map((r) => r.hash);
  }
}
