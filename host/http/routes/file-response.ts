import type Koa from 'koa';
import { SwitchboardError } from '../../../sdk/errors/switchboard-error.js';
import type { AttachmentService, StoredFile } from '../../attachments/attachment-service.js';
import { byteRanges, multipartByteranges, type ByteRange } from './byte-ranges.js';

/** Types a browser may show in the page; anything else downloads. */
const INLINE = /^(image|audio|video)\//;

/**
 * Answers a file URL: the sniffed type (never guessed again: nosniff), a sandbox CSP so an HTML or
 * SVG file cannot run script on this origin, inline only for media, private caching until the
 * URL expires, the content hash as ETag, and byte ranges (206, several as multipart/byteranges,
 * or 416 past the end).
 */
export async function serveFile(
  ctx: Koa.Context,
  file: StoredFile,
  secondsLeft: number,
  files: Pick<AttachmentService, 'bytes'>,
): Promise<void> {
  const etag = `"${file.hash}"`;
  ctx.set('Accept-Ranges', 'bytes');
  ctx.set('ETag', etag);
  ctx.set('Cache-Control', `private, max-age=${secondsLeft}`);
  ctx.set('X-Content-Type-Options', 'nosniff');
  ctx.set('Content-Security-Policy', 'sandbox');
  ctx.set(
    'Content-Disposition',
    contentDisposition(INLINE.test(file.mimeType) ? 'inline' : 'attachment', file.row.name),
  );
  ctx.type = file.mimeType === 'text/plain' ? 'text/plain; charset=utf-8' : file.mimeType;
  if (ctx.get('if-none-match') === etag) {
    ctx.status = 304;
    return;
  }
  const ranges = byteRanges(ctx.get('range'), file.size);
  if (ranges === 'unsatisfiable') {
    ctx.set('Content-Range', `bytes */${file.size}`);
    throw new SwitchboardError('range_not_satisfiable', undefined, {
      details: [{ path: '/headers/range', message: `asks for no byte of the ${file.size}` }],
    });
  }
  if (!ranges) {
    ctx.status = 200;
    ctx.body = await read(ctx, files, file);
    ctx.length = file.size;
    return;
  }
  ctx.status = 206;
  if (ranges.length === 1) {
    const { start, end } = ranges[0]!;
    ctx.set('Content-Range', `bytes ${start}-${end}/${file.size}`);
    ctx.body = await read(ctx, files, file, ranges[0]);
    ctx.length = end - start + 1;
    return;
  }
  const parts = await Promise.all(
    ranges.map(async (range) => ({ range, bytes: await read({ method: 'GET' }, files, file, range) })),
  );
  const multipart = multipartByteranges(ctx.type, file.size, parts);
  ctx.body = ctx.method === 'HEAD' ? Buffer.alloc(0) : multipart.body;
  ctx.type = multipart.contentType;
  ctx.length = multipart.body.length;
}

/** The file's bytes (or the range's), none for HEAD; `attachment_not_found` once they are gone. */
async function read(
  ctx: Pick<Koa.Context, 'method'>,
  files: Pick<AttachmentService, 'bytes'>,
  file: StoredFile,
  range?: ByteRange,
): Promise<Buffer> {
  if (ctx.method === 'HEAD') return Buffer.alloc(0);
  const bytes = await files.bytes(file, range);
  if (!bytes) throw new SwitchboardError('attachment_not_found');
  return bytes;
}

/** `attachment; filename="…"; filename*=UTF-8''…` (RFC 6266 with RFC 5987): ASCII fallback, exact name. */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}
