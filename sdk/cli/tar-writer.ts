/**
 * A minimal ustar writer: regular files only, which is all an app package holds. Written here
 * because the SDK takes no dependency for the few lines it needs.
 */
import { gzipSync } from 'node:zlib';
import { CliError } from './cli-error.js';

export interface TarEntry {
  /** A relative path with "/" separators, at most 100 bytes of ASCII. */
  name: string;
  data: Buffer | string;
  /** Octal permission bits; 0o644 unless given. */
  mode?: number;
}

export interface TarOptions {
  /** Seconds since the epoch, for every entry. */
  mtime?: number;
}

const BLOCK = 512;

/**
 * The modification time of every entry unless told otherwise: a fixed date (npm pack uses the
 * same one) so that packing the same app twice gives the same bytes.
 */
export const DEFAULT_TAR_MTIME = Date.UTC(1985, 9, 26, 8, 15, 0) / 1000;

/** An uncompressed ustar archive of the entries, in order. */
export function tarArchive(entries: readonly TarEntry[], options: TarOptions = {}): Buffer {
  const mtime = options.mtime ?? DEFAULT_TAR_MTIME;
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    parts.push(header(entry.name, data.length, entry.mode ?? 0o644, mtime));
    parts.push(data);
    const padding = (BLOCK - (data.length % BLOCK)) % BLOCK;
    if (padding > 0) parts.push(Buffer.alloc(padding));
  }
  // The end of the archive: two zero blocks.
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

/** The archive, gzip'd: a .tgz. */
export function tarGzip(entries: readonly TarEntry[], options: TarOptions = {}): Buffer {
  return gzipSync(tarArchive(entries, options), { level: 9 });
}

function header(name: string, size: number, mode: number, mtime: number): Buffer {
  // Names longer than the 100-byte field would need the prefix field or a pax header; an app
  // package never needs them, so they are refused rather than written wrong.
  if (!/^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/.test(name) || name.length > 100 || name.split('/').some((p) => p === '..' || p === '.')) {
    throw new CliError(`Cannot put "${name}" in a tar archive: names are relative, ASCII letters, digits, ".", "_", "-" and "/", at most 100 characters.`);
  }
  if (size > 0o77777777777) throw new CliError(`Cannot put "${name}" in a tar archive: ${size} bytes is too large.`);
  const block = Buffer.alloc(BLOCK);
  block.write(name, 0, 100, 'ascii');
  writeOctal(block, 100, 8, mode);
  writeOctal(block, 108, 8, 0); // uid
  writeOctal(block, 116, 8, 0); // gid
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, Math.floor(mtime));
  block.write('        ', 148, 8, 'ascii'); // the checksum counts its own field as spaces
  block.write('0', 156, 1, 'ascii'); // typeflag: regular file
  block.write('ustar\0', 257, 6, 'ascii');
  block.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const byte of block) sum += byte;
  // Six octal digits, NUL, space: the form every tar reads.
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'ascii');
  return block;
}

/** A zero-padded octal number followed by NUL, filling the field. */
function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  block.write(`${value.toString(8).padStart(length - 1, '0')}\0`, offset, length, 'ascii');
}
