import { randomBytes } from 'node:crypto';
import { combineRanges, parse as parseRange } from 'range-parser';

export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * More ranges than this in one request and the whole file is sent instead (RFC 9110 lets a
 * server ignore Range): a few hundred tiny ranges would cost a part header each, a known way to
 * make a server work hard for little.
 */
export const MAX_RANGES = 16;

/**
 * The byte ranges a Range header asks for, overlapping ones merged, in the file's order; null for
 * the whole file (no header, a malformed one, another unit, too many ranges), 'unsatisfiable'
 * when every range lies past the end.
 */
export function byteRanges(header: string, size: number): ByteRange[] | null | 'unsatisfiable' {
  if (!header) return null;
  const parsed = parseRange(size, header);
  if (parsed.type !== 'bytes' || (parsed.code & 1) !== 0) return null;
  if (parsed.ranges.length === 0) return size === 0 ? null : 'unsatisfiable';
  const ranges = combineRanges(parsed.ranges);
  if (ranges.length > MAX_RANGES) return null;
  return ranges.map(({ start, end }) => ({ start, end })).sort((a, b) => a.start - b.start);
}

/**
 * A `multipart/byteranges` body (RFC 9110, section 14.6): each part with its own Content-Type
 * and Content-Range, in the order of `parts`.
 */
export function multipartByteranges(
  mimeType: string,
  size: number,
  parts: readonly { range: ByteRange; bytes: Buffer }[],
): { contentType: string; body: Buffer } {
  const boundary = `switchboard-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const { range, bytes } of parts) {
    const head = `--${boundary}\r\nContent-Type: ${mimeType}\r\nContent-Range: bytes ${range.start}-${range.end}/${size}\r\n\r\n`;
    chunks.push(Buffer.from(head, 'latin1'), bytes, Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return { contentType: `multipart/byteranges; boundary=${boundary}`, body: Buffer.concat(chunks) };
}
