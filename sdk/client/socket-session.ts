import type { ClientFrame, ReadyFrame, ServerFrame, TypingFrame } from '../protocol/frames.js';
import { ClientError } from './client-error.js';

type WithoutId<F> = F extends unknown ? Omit<F, 'id'> : never;
/** A frame that expects an answer, without its id: the session numbers it. */
export type RequestFrame = WithoutId<Exclude<ClientFrame, { type: 'auth' } | TypingFrame>>;

export interface SessionOptions {
  /** ws(s)://host/v1/ws */
  url: string;
  token: string;
  WebSocket: typeof WebSocket;
  requestTimeoutMs: number;
  /** Frames pushed by the host, and `error` frames that answer no request of this session. */
  onFrame(frame: ServerFrame): void;
  /** Called once, whichever side ended the connection. */
  onClose(error: ClientError): void;
}

interface Pending {
  frame: RequestFrame;
  id: string;
  resend: boolean;
  timer?: ReturnType<typeof setTimeout>;
  resolve(data: unknown): void;
  reject(error: ClientError): void;
}

/**
 * One WebSocket connection: it authenticates with the first frame, waits for `ready`, numbers
 * requests and matches their answers. It paces itself as docs/protocol.md asks ("Pacing pipelined
 * requests"): a request refused with `rate_limited` is sent again `retryAfterMs` after the answer,
 * and nothing new goes out while refused requests wait for their turn; at most `burst` requests are
 * unanswered at once, so refused ones never reach the flood limit (4008).
 */
export class SocketSession {
  readonly opened: Promise<ReadyFrame>;
  private ready: ReadyFrame | null = null;
  private socket: WebSocket | null = null;
  private nextId = 1;
  private ended = false;
  private readonly inFlight = new Map<string, Pending>();
  private readonly refused: { pending: Pending; dueAt: number }[] = [];
  private readonly backlog: Pending[] = [];
  private resendsAwaiting = 0;
  private refusedTimer: ReturnType<typeof setTimeout> | undefined;
  private readyTimer: ReturnType<typeof setTimeout> | undefined;
  private heartbeatTimer: ReturnType<typeof setInterval> | undefined;
  private lastReceivedAt = Date.now();
  private settleReady!: { resolve(ready: ReadyFrame): void; reject(error: ClientError): void };

  constructor(private readonly opts: SessionOptions) {
    this.opened = new Promise((resolve, reject) => (this.settleReady = { resolve, reject }));
    // Whoever opened the session awaits `opened`; a failure is also reported through onClose.
    this.opened.catch(() => undefined);
    try {
      const socket = new opts.WebSocket(opts.url);
      this.socket = socket;
      socket.onopen = () => socket.send(JSON.stringify({ type: 'auth', token: opts.token }));
      socket.onmessage = (event: { data: unknown }) => this.receive(event.data);
      socket.onclose = (event: { code: number; reason: string }) =>
        this.end(ClientError.fromClose(event.code, event.reason));
      // An error is always followed by a close event, which carries the code.
      socket.onerror = () => undefined;
    } catch (error) {
      queueMicrotask(() => this.end(ClientError.network(error)));
    }
    this.readyTimer = setTimeout(
      () => this.abort(ClientError.timeout('the connection (no ready frame)')),
      opts.requestTimeoutMs,
    );
  }

  /** Sends a request and resolves with its result's data (rejects with the error frame's code). */
  request<T>(frame: RequestFrame): Promise<T> {
    if (this.ended) return Promise.reject(ClientError.offline());
    return new Promise<T>((resolve, reject) => {
      this.backlog.push({ frame, id: '', resend: false, resolve: (data) => resolve(data as T), reject });
      this.pump();
    });
  }

  /** A frame without an answer (typing): dropped rather than queued when it cannot go out now. */
  sendOneWay(frame: TypingFrame): boolean {
    if (this.ended || !this.ready || this.refused.length > 0 || this.resendsAwaiting > 0) return false;
    return this.transmitRaw(frame);
  }

  /** The client ends the connection; requests in flight fail with `offline`. */
  close(): void {
    this.abort(ClientError.offline(), 1000);
  }

  private abort(error: ClientError, code = 4000): void {
    if (this.ended) return;
    try {
      this.socket?.close(code);
    } catch {
      // The socket is already closing or never opened; ending the session below is what counts.
    }
    this.end(error);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      // The host sends only JSON; a frame that is not is no message of the protocol.
      return;
    }
    this.lastReceivedAt = Date.now();
    switch (frame.type) {
      case 'ready':
        this.ready = frame;
        clearTimeout(this.readyTimer);
        this.startHeartbeat(frame.heartbeatIntervalMs);
        this.settleReady.resolve(frame);
        this.pump();
        return;
      case 'result':
        this.answer(frame.replyTo, (p) => p.resolve(frame.data));
        return;
      case 'pong':
        if (frame.replyTo !== null) this.answer(frame.replyTo, (p) => p.resolve({}));
        return;
      case 'error':
        if (frame.replyTo !== null && this.inFlight.has(frame.replyTo)) {
          const error = frame.error;
          this.answer(frame.replyTo, (p) => {
            if (error.code === 'rate_limited') this.refuse(p, (error as { retryAfterMs?: number }).retryAfterMs);
            else p.reject(ClientError.fromBody(error));
          });
        } else this.opts.onFrame(frame);
        return;
      default:
        this.opts.onFrame(frame);
    }
  }

  private answer(replyTo: string, settle: (pending: Pending) => void): void {
    const pending = this.inFlight.get(replyTo);
    // An answer to a request that timed out: the caller was told already.
    if (!pending) return;
    this.inFlight.delete(replyTo);
    clearTimeout(pending.timer);
    if (pending.resend) this.resendsAwaiting--;
    settle(pending);
    this.pump();
  }

  private refuse(pending: Pending, retryAfterMs = 1000): void {
    this.refused.push({ pending, dueAt: Date.now() + retryAfterMs });
    this.scheduleRefused();
  }

  private scheduleRefused(): void {
    if (this.refusedTimer !== undefined || this.refused.length === 0) return;
    const delay = Math.max(0, this.refused[0]!.dueAt - Date.now());
    this.refusedTimer = setTimeout(() => {
      this.refusedTimer = undefined;
      // Turns come in the order the refusals did: resend in that order, each once its time came.
      while (this.refused.length > 0 && this.refused[0]!.dueAt <= Date.now()) {
        const { pending } = this.refused.shift()!;
        pending.resend = true;
        this.resendsAwaiting++;
        this.transmit(pending);
      }
      this.scheduleRefused();
    }, delay);
  }

  /** Sends queued requests while nothing refused waits and fewer than `burst` are unanswered. */
  private pump(): void {
    if (this.ended || !this.ready) return;
    const maxInFlight = Math.max(1, this.ready.limits.burst);
    while (
      this.backlog.length > 0 &&
      this.refused.length === 0 &&
      this.resendsAwaiting === 0 &&
      this.inFlight.size < maxInFlight
    ) {
      this.transmit(this.backlog.shift()!);
    }
  }

  private transmit(pending: Pending): void {
    // A fresh id for every transmission keeps ids unique on the connection.
    pending.id = `r${this.nextId++}`;
    this.inFlight.set(pending.id, pending);
    pending.timer = setTimeout(() => {
      this.answer(pending.id, (p) => p.reject(ClientError.timeout(`'${p.frame.type}'`)));
    }, this.opts.requestTimeoutMs);
    this.transmitRaw({ ...pending.frame, id: pending.id });
  }

  private transmitRaw(frame: object): boolean {
    try {
      this.socket?.send(JSON.stringify(frame));
      return true;
    } catch (error) {
      this.end(ClientError.network(error));
      return false;
    }
  }

  /**
   * Browsers do not show protocol pings, so a connection that went silent (a half-open TCP
   * connection after a network change) is probed with a `ping` frame; no answer ends it.
   */
  private startHeartbeat(intervalMs: number): void {
    this.heartbeatTimer = setInterval(() => {
      if (Date.now() - this.lastReceivedAt < intervalMs) return;
      this.request({ type: 'ping' }).catch((error: ClientError) => {
        if (error.code === 'timeout') this.abort(new ClientError('network_error', 'The host stopped answering.'));
      });
    }, intervalMs);
  }

  private end(error: ClientError): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.readyTimer);
    clearTimeout(this.refusedTimer);
    clearInterval(this.heartbeatTimer);
    if (this.socket) {
      this.socket.onopen = this.socket.onmessage = this.socket.onclose = this.socket.onerror = null;
    }
    this.settleReady.reject(error);
    const offline = ClientError.offline();
    const waiting = [...this.inFlight.values(), ...this.refused.map((r) => r.pending), ...this.backlog];
    this.inFlight.clear();
    this.refused.length = 0;
    this.backlog.length = 0;
    for (const pending of waiting) {
      clearTimeout(pending.timer);
      pending.reject(offline);
    }
    this.opts.onClose(error);
  }
}
