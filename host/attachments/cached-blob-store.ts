import { LRUCache } from 'lru-cache';
import type { BlobCacheLimits } from '../config/host-config.js';
import type { BlobStore } from './blob-store.js';

/**
 * A BlobStore that keeps recently read (and just stored) blobs in memory, least recently used
 * first out, within a byte budget: one popular image in a big group is then read from the disk or
 * the database once, not once per member.
 *
 * A blob is addressed by the hash of its bytes, so a held copy can never be stale. It can only
 * outlive the stored blob when another host deletes it; that blob is then unreferenced, and who may
 * read what is decided by the attachment rows before any byte is asked for, so serving it changes
 * nothing. Writes go to the backing store every time: it decides whether a blob must
 * be written, never this cache, or a blob deleted elsewhere would not be written again.
 */
export class CachedBlobStore implements BlobStore {
  private readonly held: LRUCache<string, Buffer>;
  private readonly reading = new Map<string, Promise<Buffer | null>>();
  readonly stage?: BlobStore['stage'];
  readonly sweepStaged?: BlobStore['sweepStaged'];

  constructor(
    private readonly store: BlobStore,
    private readonly limits: BlobCacheLimits,
  ) {
    this.held = new LRUCache<string, Buffer>({
      maxSize: limits.maxBytes,
      // lru-cache refuses a size of 0; an empty blob still takes an entry.
      sizeCalculation: (bytes) => Math.max(1, bytes.length),
      maxEntrySize: limits.maxFileBytes,
    });
    // A streamed upload is not gathered in memory to be held: it is held once first read.
    if (store.stage) this.stage = store.stage.bind(store);
    if (store.sweepStaged) this.sweepStaged = store.sweepStaged.bind(store);
  }

  /** The backing store itself, or it wrapped in a cache when the limits allow one. */
  static over(store: BlobStore, limits: BlobCacheLimits): BlobStore {
    return limits.maxBytes > 0 && limits.maxFileBytes > 0 ? new CachedBlobStore(store, limits) : store;
  }

  async put(hash: string, bytes: Uint8Array): Promise<void> {
    await this.store.put(hash, bytes);
    // Just uploaded: the members of its conversation are about to fetch it. A copy, as the
    // caller's array is its own to reuse.
    if (bytes.length <= this.limits.maxFileBytes) this.hold(hash, Buffer.from(bytes));
  }

  read(hash: string): Promise<Buffer | null> {
    const held = this.held.get(hash);
    if (held) return Promise.resolve(held);
    // Many readers of one file arriving together (a picture in a big group) wait for one read.
    let reading = this.reading.get(hash);
    if (!reading) {
      reading = this.store.read(hash).then(
        (bytes) => {
          this.reading.delete(hash);
          if (bytes) this.hold(hash, bytes);
          return bytes;
        },
        (err: unknown) => {
          this.reading.delete(hash);
          throw err;
        },
      );
      this.reading.set(hash, reading);
    }
    return reading;
  }

  async readRange(hash: string, start: number, end: number): Promise<Buffer | null> {
    const held = this.held.get(hash);
    if (held) return held.subarray(start, end + 1);
    return this.store.readRange(hash, start, end);
  }

  async stat(hash: string): Promise<{ size: number } | null> {
    const held =
      this.held.get(hash) ??
      // A failed read is its reader's error to see; then the store itself says whether the blob is there.
      (await this.reading.get(hash)?.catch(() => null));
    return held ? { size: held.length } : this.store.stat(hash);
  }

  async delete(hash: string): Promise<void> {
    this.held.delete(hash);
    await this.store.delete(hash);
  }

  private hold(hash: string, bytes: Buffer): void {
    if (bytes.length <= this.limits.maxFileBytes) this.held.set(hash, bytes);
  }
}
