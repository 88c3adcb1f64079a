import { createHash, randomUUID } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BlobStore, StagedBlob } from './blob-store.js';
import { assertBlobHash } from './blob-store.js';

/**
 * Blobs as files in one directory (a host on SQLite is alone, so the directory is its own):
 * `<dir>/ab/cd/<hash>`. A write goes to a temporary file in `<dir>/tmp` that is renamed into
 * place, so a reader (or a crash) never sees half a blob, and two writers of one hash both
 * succeed with the same bytes. A streamed write (`stage`) learns its hash only at the end, so its
 * temporary file is named at random until then.
 */
export class DirectoryBlobStore implements BlobStore {
  private readonly tmp: string;

  constructor(private readonly dir: string) {
    this.tmp = join(dir, 'tmp');
  }

  async put(hash: string, bytes: Uint8Array): Promise<void> {
    const path = this.pathOf(hash);
    if (await this.stat(hash)) return;
    await mkdir(this.tmp, { recursive: true });
    const temp = join(this.tmp, `${hash}.${randomUUID()}`);
    const file = await open(temp, 'wx');
    try {
      await file.writeFile(bytes);
      // The rename below must not publish a name whose bytes a power cut could still take back.
      await file.sync();
    } finally {
      await file.close();
    }
    await this.publish(temp, path);
  }

  async stage(source: AsyncIterable<Uint8Array>): Promise<StagedBlob> {
    await mkdir(this.tmp, { recursive: true });
    const temp = join(this.tmp, `stage.${randomUUID()}`);
    const hasher = createHash('sha256');
    let size = 0;
    const file = await open(temp, 'wx');
    try {
      try {
        for await (const chunk of source) {
          hasher.update(chunk);
          size += chunk.byteLength;
          await file.write(chunk);
        }
        await file.sync();
      } finally {
        await file.close();
      }
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
    const hash = hasher.digest('hex');
    const discard = () => rm(temp, { force: true });
    return {
      hash,
      size,
      discard,
      commit: async () => {
        if (await this.stat(hash)) return discard();
        await this.publish(temp, this.pathOf(hash));
      },
    };
  }

  async sweepStaged(before: number): Promise<number> {
    const names = await readdir(this.tmp).catch(missingAsNull);
    let removed = 0;
    for (const name of names ?? []) {
      const info = await stat(join(this.tmp, name)).catch(missingAsNull);
      if (!info || info.mtimeMs >= before) continue;
      await rm(join(this.tmp, name), { force: true });
      removed++;
    }
    return removed;
  }

  /** Moves a complete, synced temporary file to its blob's name, or removes it if that fails. */
  private async publish(temp: string, path: string): Promise<void> {
    try {
      await mkdir(join(path, '..'), { recursive: true });
      await rename(temp, path);
    } catch (err) {
      await rm(temp, { force: true });
      throw err;
    }
  }

  async read(hash: string): Promise<Buffer | null> {
    return readFile(this.pathOf(hash)).catch(missingAsNull);
  }

  async readRange(hash: string, start: number, end: number): Promise<Buffer | null> {
    const file = await open(this.pathOf(hash), 'r').catch(missingAsNull);
    if (!file) return null;
    try {
      const length = end - start + 1;
      const buffer = Buffer.alloc(length);
      let done = 0;
      while (done < length) {
        const { bytesRead } = await file.read(buffer, done, length - done, start + done);
        if (bytesRead === 0) break;
        done += bytesRead;
      }
      return buffer.subarray(0, done);
    } finally {
      await file.close();
    }
  }

  async stat(hash: string): Promise<{ size: number } | null> {
    const info = await stat(this.pathOf(hash)).catch(missingAsNull);
    return info ? { size: info.size } : null;
  }

  async delete(hash: string): Promise<void> {
    await rm(this.pathOf(hash), { force: true });
  }

  private pathOf(hash: string): string {
    assertBlobHash(hash);
    return join(this.dir, hash.slice(0, 2), hash.slice(2, 4), hash);
  }
}

function missingAsNull(err: unknown): null {
  if ((err as { code?: string }).code === 'ENOENT') return null;
  throw err;
}
