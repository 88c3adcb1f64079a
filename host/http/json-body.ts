import type { IncomingMessage } from 'node:http';
import type Koa from 'koa';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { assertInputStrings } from '../validation/input-strings.js';

/**
 * How every HTTP body enters the host, the core's routes and the plugins' alike: the exact bytes
 * (at most the configured limit, no Content-Encoding), decoded as strict UTF-8, then parsed as JSON
 * when the content type says JSON. A byte sequence that is not UTF-8 is refused, never replaced by
 * U+FFFD: what a route stores must be what the client sent, as a WebSocket text frame that is not
 * UTF-8 closes with 1007. Hand-written rather than a body-parser package because those decode
 * leniently and offer no hook between the bytes and the text.
 */

const JSON_TYPE = /^application\/([a-z0-9.!#$&^_-]+\+)?json$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** The body's bytes, at most `limit` of them (else payload_too_large). */
export function readRawBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity')
    return Promise.reject(new SwitchboardError('invalid_request', `Content-Encoding ${encoding} is not supported.`));
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.reject(tooLarge(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const fail = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        fail(tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => fail(err);
    const onAborted = () => fail(new SwitchboardError('invalid_request', 'The request was aborted.'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

const tooLarge = (limit: number) =>
  new SwitchboardError('payload_too_large', `The body exceeds the limit of ${limit} bytes.`);

/** The body as text: UTF-8 (a leading BOM dropped) or `invalid_request` naming the first bad byte. */
export function decodeBody(bytes: Buffer, contentType: string): string {
  const charset = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8') {
    throw new SwitchboardError(
      'invalid_request',
      `The body's charset ${charset.slice(0, 40)} is not supported; send UTF-8.`,
      {
        details: [{ path: '/body', message: 'must be UTF-8' }],
      },
    );
  }
  try {
    return strictUtf8.decode(bytes);
  } catch {
    const offset = firstInvalidByte(bytes);
    throw new SwitchboardError('invalid_request', `The body is not valid UTF-8 (byte ${offset}).`, {
      details: [{ path: '/body', message: `is not valid UTF-8 at byte ${offset}` }],
    });
  }
}

/** Only reached for a body already known to be ill-formed, so the cost is paid by the sender. */
function firstInvalidByte(bytes: Buffer): number {
  let low = 0;
  let high = bytes.length;
  // The longest valid prefix, by halving: a prefix cut inside a character also fails, so the
  // answer can sit up to three bytes before the offender; good enough to point a developer at it.
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    // A prefix that fails to decode holds the offender: the search goes on below it.
    try {
      strictUtf8.decode(bytes.subarray(0, mid));
      low = mid;
    } catch {
      high = mid - 1;
    }
  }
  return low;
}

const mediaTypeOf = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/** Parsed JSON when the content type is JSON and the body is not blank; else null. */
export function parseJsonBody(contentType: string, text: string): unknown {
  if (!JSON_TYPE.test(mediaTypeOf(contentType)) || text.trim() === '') return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text) as unknown;
  } catch {
    throw new SwitchboardError('invalid_json', 'The body is not valid JSON.');
  }
  // The host's rule for every string: well-formed Unicode, no U+0000, no `__proto__` field.
  assertInputStrings(parsed);
  return parsed;
}

/** Middleware for the core's routes: `ctx.request.body` is the parsed JSON body, or undefined. */
export function jsonBody(limit: number): Koa.Middleware {
  return async (ctx, next) => {
    if (ctx.method !== 'GET' && ctx.method !== 'HEAD' && ctx.method !== 'OPTIONS') {
      const bytes = await readRawBody(ctx.req, limit);
      const contentType = ctx.get('content-type');
      const text = decodeBody(bytes, contentType);
      const type = mediaTypeOf(contentType);
      // A body the routes would not read (fetch sends a string as text/plain) must not pass for
      // an empty one: the caller would be told of missing fields it did send.
      if (text.trim() !== '' && !JSON_TYPE.test(type))
        throw new SwitchboardError(
          'unsupported_media_type',
          `Send the body as JSON, with Content-Type: application/json (it came as ${type.slice(0, 80) || 'no type'}).`,
        );
      const parsed = parseJsonBody(contentType, text);
      if (parsed !== null) (ctx.request as unknown as { body?: unknown }).body = parsed;
    }
    await next();
  };
}
