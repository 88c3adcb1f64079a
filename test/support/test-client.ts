import WebSocket from 'ws';
import { randomUUID } from 'node:crypto';
import type { ErrorBody } from '../../sdk/errors/switchboard-error.js';
import { eventually } from './eventually.js';

/** A received frame; tests inspect it loosely. */
export type Frame = { type: string; [key: string]: any };

export class RequestError extends Error {
  constructor(
    readonly error: ErrorBody,
    readonly frame: Frame,
  ) {
    super(`${error.code}: ${error.message}`);
  }
}

interface Waiter {
  predicate: (f: Frame) => boolean;
  resolve: (f: Frame) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * A real ws client with helpers for the request/answer pattern of the protocol.
 * Every frame received is kept in `frames`, in order.
 */
export class TestClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: Waiter[] = [];
  private cursor = 0;
  private nextId = 1;

  constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      // ws's default binaryType ('nodebuffer') hands every message over as one Buffer.
      const frame = JSON.parse(isBinary ? '{"type":"<binary>"}' : (data as Buffer).toString()) as Frame;
      this.frames.push(frame);
      for (const w of [...this.waiters]) {
        if (w.predicate(frame)) {
          clearTimeout(w.timer);
          this.waiters.splice(this.waiters.indexOf(w), 1);
          w.resolve(frame);
        }
      }
    });
    this.closed = new Promise((resolve) => {
      ws.on('close', (code, reason) => {
        for (const w of this.waiters) {
          clearTimeout(w.timer);
          w.reject(new Error(`socket closed (${code}) while waiting`));
        }
        this.waiters = [];
        resolve({ code, reason: reason.toString() });
      });
    });
    ws.on('error', () => {
      /* surfaced through `closed` */
    });
  }

  /** Sends a raw frame object (or a raw string/buffer) without waiting. */
  sendRaw(frame: object | string | Buffer, opts: { binary?: boolean } = {}): void {
    const data = typeof frame === 'string' || Buffer.isBuffer(frame) ? frame : JSON.stringify(frame);
    this.ws.send(data, { binary: opts.binary ?? false });
  }

  /** Sends a request frame (an `id` is added if missing) and resolves with `data` of its result. */
  async request<T = any>(frame: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    const id = (frame.id as string | undefined) ?? `r${this.nextId++}`;
    const answer = this.waitFor((f) => (f.type === 'result' || f.type === 'error') && f.replyTo === id, timeoutMs);
    this.sendRaw({ ...frame, id });
    const f = await answer;
    if (f.type === 'error') throw new RequestError(f.error, f);
    return f.data as T;
  }

  /** Sends a text message; resolves with the send result `{message, duplicate}`. */
  sendText(conversationId: string, text: string, clientMsgId: string = randomUUID()) {
    return this.request<{ message: any; duplicate: boolean }>({
      type: 'send',
      conversationId,
      clientMsgId,
      content: { type: 'text', text },
    });
  }

  /** Resolves with the first frame (received from now on, or already buffered if `fromStart`) that matches. */
  waitFor(predicate: (f: Frame) => boolean, timeoutMs = 10_000): Promise<Frame> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.splice(
          this.waiters.findIndex((w) => w.timer === timer),
          1,
        );
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a frame`));
      }, timeoutMs);
      this.waiters.push({ predicate, resolve, reject, timer });
    });
  }

  /** The next frame of a type, taking buffered frames first (a cursor moves past what it returns). */
  async next(type: string | ((f: Frame) => boolean), timeoutMs = 10_000): Promise<Frame> {
    const predicate = typeof type === 'string' ? (f: Frame) => f.type === type : type;
    for (; this.cursor < this.frames.length; this.cursor++) {
      const f = this.frames[this.cursor]!;
      if (predicate(f)) {
        this.cursor++;
        return f;
      }
    }
    const f = await this.waitFor(predicate, timeoutMs);
    this.cursor = this.frames.length;
    return f;
  }

  /** Frames of the given type received so far. */
  ofType(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  /** Waits until `count` frames match, or throws after the timeout. */
  async collect(predicate: (f: Frame) => boolean, count: number, timeoutMs = 10_000): Promise<Frame[]> {
    try {
      return await eventually(
        () => {
          const got = this.frames.filter(predicate);
          return got.length >= count && got;
        },
        { timeoutMs, intervalMs: 10, what: `${count} matching frames` },
      );
    } catch {
      throw new Error(`expected ${count} frames, got ${this.frames.filter(predicate).length}`);
    }
  }

  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(1000);
    await this.closed;
  }
}

export interface ConnectOptions {
  /** Authenticate with the Authorization header (default) or with an auth frame. */
  auth?: 'header' | 'frame' | 'none';
  /** Extra ws client options, e.g. `{ autoPong: false }`. */
  wsOptions?: WebSocket.ClientOptions;
}

/** Opens a socket; with auth it resolves once `ready` has arrived. */
export async function connect(wsUrl: string, token: string | null, opts: ConnectOptions = {}): Promise<TestClient> {
  const mode = token === null ? 'none' : (opts.auth ?? 'header');
  const headers = mode === 'header' ? { Authorization: `Bearer ${token}` } : undefined;
  const ws = new WebSocket(wsUrl, { ...opts.wsOptions, headers: { ...headers, ...opts.wsOptions?.headers } });
  const client = new TestClient(ws);
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
    ws.once('error', reject);
  });
  if (mode === 'frame') client.sendRaw({ type: 'auth', token });
  if (mode !== 'none') await client.next('ready');
  return client;
}
