/**
 * The file readers of `npm run bench -- media-search`: kept-alive GETs over raw sockets that count
 * a body's bytes without keeping them. Each socket reads into one buffer of its own, reused for
 * every read (net's `onread`), so fetching 100 MB/s allocates nothing per read.
 *
 * Why not node:http: its client allocates every read's bytes, and on Node 24 those short-lived
 * Buffers are freed by full collections (nodejs/node#61967), about four a second at 1,000
 * fetches/s. Each one stalled the readers' event loop, which the latencies counted: the bare
 * reference server's p99 was 16–38 ms through node:http and 4–6 ms through this.
 *
 * It speaks only what a file answer needs: HTTP/1.1, a `content-length` on every answer (an answer
 * without one is an error, not a guess), one request at a time on each socket.
 */
import { connect, type Socket } from 'node:net';

export interface CountedAnswer {
  status: number;
  bytes: number;
}

interface Request {
  path: string;
  resolve: (answer: CountedAnswer) => void;
  reject: (err: Error) => void;
}

const READ_BUFFER_BYTES = 256 * 1024;
const HEAD_LIMIT = 16 * 1024;

/** One kept-alive socket; `onFree` is called with it whenever its answer is complete. */
function countingSocket(host: string, port: number, onFree: (s: CountingSocket) => void) {
  let current: Request | null = null;
  let head = '';
  let status = 0;
  let left = -1;
  let bytes = 0;

  const fail = (err: Error) => {
    const req = current;
    current = null;
    req?.reject(err);
  };
  const complete = () => {
    const req = current!;
    current = null;
    head = '';
    left = -1;
    req.resolve({ status, bytes });
    onFree(self);
  };
  /** Reads the head from `text` (latin1, so one char a byte); returns the bytes it used, or -1. */
  const readHead = (text: string): number => {
    const before = head.length;
    head += text;
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) {
      if (head.length > HEAD_LIMIT) fail(new Error(`an answer's head is over ${HEAD_LIMIT} bytes`));
      return -1;
    }
    const lines = head.slice(0, end);
    status = Number(lines.slice(9, 12));
    const length = /\r\ncontent-length: *(\d+)/i.exec(lines);
    if (!length) {
      fail(new Error(`an answer (${status}) came without content-length`));
      return -1;
    }
    left = Number(length[1]);
    bytes = 0;
    head = '';
    return end + 4 - before;
  };

  const onRead = (n: number, buf: Uint8Array): boolean => {
    let offset = 0;
    while (offset < n && current) {
      if (left < 0) {
        const headBytes = Math.min(n - offset, HEAD_LIMIT);
        const used = readHead(Buffer.from(buf.buffer, buf.byteOffset + offset, headBytes).toString('latin1'));
        if (used < 0) return true;
        offset += used;
      }
      const take = Math.min(left, n - offset);
      bytes += take;
      left -= take;
      offset += take;
      if (left === 0) complete();
    }
    return true;
  };

  const buffer = Buffer.allocUnsafe(READ_BUFFER_BYTES);
  /** The server may close a socket that stayed idle past its keep-alive timeout; the next GET redials. */
  let socket: Socket | null = null;
  const dial = (): Socket => {
    const s = connect({ host, port, onread: { buffer, callback: onRead } });
    s.setNoDelay(true);
    s.on('error', (err) => fail(err));
    s.on('close', () => {
      if (socket !== s) return;
      socket = null;
      fail(new Error('the server closed a kept-alive socket during an answer'));
    });
    return s;
  };

  const self = {
    send(req: Request): void {
      current = req;
      socket ??= dial();
      socket.write(`GET ${req.path} HTTP/1.1\r\nhost: ${host}:${port}\r\n\r\n`);
    },
    destroy(): void {
      socket?.destroy();
    },
  };
  return self;
}
type CountingSocket = ReturnType<typeof countingSocket>;

/** `sockets` kept-alive sockets to `baseUrl`; a GET waits for a free one. */
export function countingGet(baseUrl: string, sockets: number) {
  const url = new URL(baseUrl);
  const free: CountingSocket[] = [];
  const waiting: Request[] = [];
  const onFree = (s: CountingSocket) => {
    const next = waiting.shift();
    if (next) s.send(next);
    else free.push(s);
  };
  const all = Array.from({ length: sockets }, () => countingSocket(url.hostname, Number(url.port), onFree));
  free.push(...all);
  return {
    /** GET `path`; the answer's status and how many body bytes came. */
    fetch(path: string): Promise<CountedAnswer> {
      return new Promise((resolve, reject) => {
        const req = { path, resolve, reject };
        // The longest idle first, so that every socket stays in use.
        const s = free.shift();
        if (s) s.send(req);
        else waiting.push(req);
      });
    },
    close(): void {
      for (const s of all) s.destroy();
    },
  };
}
