import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';

/** An upload's bytes as they arrive, and their size when the sender declared it. */
export interface UploadSource {
  readonly chunks: AsyncIterable<Uint8Array>;
  /** The Content-Length (or the length of bytes in hand); null for a body sent in chunks. */
  readonly declaredSize: number | null;
}

/** An upload already in memory (the apps' capability) as a source. */
export function bytesSource(bytes: Uint8Array): UploadSource {
  return {
    declaredSize: bytes.byteLength,
    chunks: Readable.from([bytes]) as AsyncIterable<Uint8Array>,
  };
}

/**
 * A request's body as a source, read only as the upload pulls it. Refused unread: a
 * Content-Encoding (the bytes stored must be the bytes sent) and a Content-Length past `maxBytes`
 * (`tooLarge`). When the upload stops pulling (a refusal midway) the request is left unread, not
 * destroyed, so the answer still goes out; the route then closes the connection.
 */
export function requestSource(req: IncomingMessage, maxBytes: number, tooLarge: () => Error): UploadSource {
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity')
    throw new SwitchboardError('invalid_request', `Content-Encoding ${encoding.slice(0, 40)} is not supported.`);
  const header = req.headers['content-length'];
  const declared = header === undefined ? null : Number(header);
  if (declared !== null && Number.isFinite(declared) && declared > maxBytes) throw tooLarge();
  return {
    declaredSize: declared !== null && Number.isSafeInteger(declared) ? declared : null,
    chunks: (async function* () {
      try {
        for await (const chunk of req.iterator({ destroyOnReturn: false })) yield chunk as Buffer;
      } catch (err) {
        // The client went away midway: nothing is stored, and there is no one left to answer.
        if ((err as { code?: string }).code === 'ECONNRESET' || req.destroyed)
          throw new SwitchboardError('invalid_request', 'The request was aborted.');
        throw err;
      }
    })(),
  };
}

/**
 * Reads a source at most once: first its opening bytes (for sniffing), then either the rest as
 * it comes or all of it. Counts every byte against a limit that can shrink once the upload's
 * quota reservation is known; past it, the limit's error ends the upload.
 */
export class UploadBody {
  private readonly iterator: AsyncIterator<Uint8Array>;
  private buffered: Uint8Array[] = [];
  private size = 0;
  private done = false;
  private limit: { bytes: number; error: () => Error };

  constructor(source: UploadSource, maxBytes: number, tooLarge: () => Error) {
    this.iterator = source.chunks[Symbol.asyncIterator]();
    this.limit = { bytes: maxBytes, error: tooLarge };
  }

  /** Bytes received so far. */
  get received(): number {
    return this.size;
  }

  /** From now on, at most `bytes` in all (those already read included), else `error`. */
  limitTo(bytes: number, error: () => Error): void {
    if (bytes >= this.limit.bytes) return;
    this.limit = { bytes, error };
    if (this.size > bytes) throw error();
  }

  /** The opening bytes: at least `min` of them unless the body is shorter (maybe more). */
  async head(min: number): Promise<Buffer> {
    while (!this.done && this.size < min) {
      const chunk = await this.pull();
      if (chunk) this.buffered.push(chunk);
    }
    const head = Buffer.concat(this.buffered);
    this.buffered = [head];
    return head;
  }

  /** The whole body, in memory. */
  async all(): Promise<Buffer> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of this.rest()) chunks.push(chunk);
    return Buffer.concat(chunks);
  }

  /** The body from where the head ended: the head first, then each piece as it arrives. */
  async *rest(): AsyncGenerator<Uint8Array> {
    const head = this.buffered;
    this.buffered = [];
    yield* head;
    while (!this.done) {
      const chunk = await this.pull();
      if (chunk) yield chunk;
    }
  }

  private async pull(): Promise<Uint8Array | null> {
    const next = await this.iterator.next();
    if (next.done) {
      this.done = true;
      return null;
    }
    this.size += next.value.byteLength;
    if (this.size > this.limit.bytes) throw this.limit.error();
    return next.value;
  }
}
