import { TextDecoder } from 'node:util';

/** Bytes looked at for a byte-order mark or a `<meta charset>` before the encoding is chosen. */
const PRESCAN_BYTES = 1024;

const META_CHARSET = /<meta[^>]*?charset\s*=\s*["']?\s*([a-z0-9_:.-]+)/i;

/**
 * A page's bytes as text, in the encoding a browser would pick, roughly as HTML's sniffing does:
 * a byte-order mark, else the Content-Type's charset, else a `<meta charset>` (or http-equiv) in the
 * first kilobyte, else UTF-8. An encoding no decoder knows is read as UTF-8; bytes that do not
 * decode become U+FFFD, never an error: a page in a strange encoding gives a garbled title at worst.
 */
export class PageDecoder {
  private decoder: TextDecoder | null = null;
  private readonly waiting: Buffer[] = [];
  private waitingBytes = 0;

  constructor(private readonly declared: string | null) {}

  /** The text of the bytes so far that is known; some may wait for the encoding to be chosen. */
  push(chunk: Buffer): string {
    if (this.decoder) return this.decoder.decode(chunk, { stream: true });
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    return this.waitingBytes >= PRESCAN_BYTES ? this.release() : '';
  }

  /** The rest of the text, at the end of what was read. */
  end(): string {
    const text = this.decoder ? '' : this.release();
    return text + this.decoder!.decode();
  }

  private release(): string {
    const start = Buffer.concat(this.waiting, this.waitingBytes);
    this.waiting.length = 0;
    this.decoder = decoderFor(labelOf(start, this.declared));
    return this.decoder.decode(start, { stream: true });
  }
}

function labelOf(start: Buffer, declared: string | null): string {
  if (start[0] === 0xef && start[1] === 0xbb && start[2] === 0xbf) return 'utf-8';
  if (start[0] === 0xfe && start[1] === 0xff) return 'utf-16be';
  if (start[0] === 0xff && start[1] === 0xfe) return 'utf-16le';
  if (declared) return declared;
  const meta = META_CHARSET.exec(start.subarray(0, PRESCAN_BYTES).toString('latin1'))?.[1];
  // A page that says so in its own (ASCII-compatible) bytes cannot really be UTF-16.
  return meta && !/^utf-?16/i.test(meta) ? meta : 'utf-8';
}

function decoderFor(label: string): TextDecoder {
  try {
    return new TextDecoder(label);
  } catch {
    // RangeError: a label no decoder knows (a typo in the site's header).
    return new TextDecoder('utf-8');
  }
}
