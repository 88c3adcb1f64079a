import { createHash } from 'node:crypto';
import type { InjectionToken } from 'tsyringe';

/**
 * Where attachment bytes live, addressed by the sha256 (lowercase hex) of their content. Every
 * implementation is safe to share between hosts that share its backing (a directory on one host,
 * the PostgreSQL database for several), so `put` and `delete` are idempotent and a reader never
 * sees a half-written blob.
 *
 * Which rows refer to a blob is not the store's business: the attachment sweep decides what is
 * unreferenced (see attachment-sweep.ts) and only then deletes it.
 */
export interface BlobStore {
  /**
   * Stores `bytes` under `hash` (the caller computed it with `blobHashOf`). Storing a hash that is
   * already there changes nothing and succeeds: that is how uploads deduplicate.
   */
  put(hash: string, bytes: Uint8Array): Promise<void>;
  /** The whole blob, or null when it is not stored. */
  read(hash: string): Promise<Buffer | null>;
  /**
   * Bytes `start`..`end` inclusive (like an HTTP Range), or null when the blob is not stored.
   * The caller keeps the range within `stat`'s size.
   */
  readRange(hash: string, start: number, end: number): Promise<Buffer | null>;
  /** The blob's size in bytes, or null when it is not stored. */
  stat(hash: string): Promise<{ size: number } | null>;
  /** Removes the blob; removing one that is not stored succeeds. */
  delete(hash: string): Promise<void>;
  /**
   * Writes `source` as it comes, hashing it, where no reader sees it; the result publishes it
   * under its hash (or finds it there already) or discards it. A failure of `source` discards
   * what was written and rethrows. Optional: without it, `stageBlob` buffers and calls `put`.
   */
  stage?(source: AsyncIterable<Uint8Array>): Promise<StagedBlob>;
  /**
   * Removes what `stage` wrote for uploads that never ended (the host stopped midway) and that
   * began before `before` (epoch ms); returns how many it removed.
   */
  sweepStaged?(before: number): Promise<number>;
}

/** Bytes a BlobStore holds aside until the caller publishes (`commit`) or drops them (`discard`). */
export interface StagedBlob {
  readonly hash: string;
  readonly size: number;
  /** Stores the bytes under `hash`; if that hash is stored already, the staged copy is dropped. */
  commit(): Promise<void>;
  /** Drops the staged bytes; harmless after commit or twice. */
  discard(): Promise<void>;
}

/** `store.stage`, or for a store without one, the bytes gathered in memory and given to `put`. */
export async function stageBlob(store: BlobStore, source: AsyncIterable<Uint8Array>): Promise<StagedBlob> {
  if (store.stage) return store.stage(source);
  const chunks: Uint8Array[] = [];
  for await (const chunk of source) chunks.push(chunk);
  const bytes = Buffer.concat(chunks);
  const hash = blobHashOf(bytes);
  return { hash, size: bytes.length, commit: () => store.put(hash, bytes), discard: () => Promise.resolve() };
}

/** The container's token for the host's store (HostOptions.blobStore, else defaultBlobStore). */
export const BlobStoreToken = Symbol('BlobStore') as InjectionToken<BlobStore>;

/** The address of `bytes` in a BlobStore: sha256, lowercase hex (64 characters). */
export function blobHashOf(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

const HASH = /^[0-9a-f]{64}$/;

/** True for a well-formed blob address. */
export function isBlobHash(value: string): boolean {
  return HASH.test(value);
}

/** A store never builds a path or key from anything but a well-formed hash. */
export function assertBlobHash(value: string): void {
  if (!HASH.test(value)) throw new Error(`not a blob hash: ${value.slice(0, 80)}`);
}
