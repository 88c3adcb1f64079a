import type { ReadyFrame, ServerFrame } from '../protocol/frames.js';
import { ClientError, toClientError } from './client-error.js';
import type { ClientState } from './client-types.js';
import type { ReconnectPolicy } from './reconnect-policy.js';
import { SocketSession, type RequestFrame } from './socket-session.js';

/** After a close for flooding (4008) the host wants the client to stay away a while. */
const FLOOD_BACKOFF_MS = 5_000;
/** Why a connection closed when the token is dead: reconnecting would be refused the same way. */
const SESSION_ENDED = new Set(['unauthenticated', 'session_ended', 'account_deactivated']);

export interface ConnectionOptions {
  url: string;
  WebSocket: typeof WebSocket;
  requestTimeoutMs: number;
  /** Shared with the outbox, which waits as long after a passing failure. */
  backoff: ReconnectPolicy;
}

export interface ConnectionHooks {
  token(): string | null;
  /** Runs after `ready` (resume, catching up); the connection is online once it resolves. */
  sync(session: SocketSession, ready: ReadyFrame): Promise<void>;
  onFrame(frame: ServerFrame): void;
  onState(state: ClientState, error?: ClientError): void;
}

/**
 * The client's connection over time: one SocketSession after another, reconnecting with backoff
 * and jitter after any loss except a dead token (4001/4003: 'ended') or close().
 */
export class ClientConnection {
  state: ClientState = 'idle';
  /** The current session, online or still catching up. */
  private session: SocketSession | null = null;
  private waiters: { resolve(): void; reject(error: ClientError): void }[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  /** No new attempt before this time (ms): the host asked for a pause after flooding. */
  private notBefore = 0;

  constructor(
    private readonly opts: ConnectionOptions,
    private readonly hooks: ConnectionHooks,
  ) {}

  /** Resolves once online; rejects if the session ends (token refused) or close() is called first. */
  connect(): Promise<void> {
    if (this.state === 'online') return Promise.resolve();
    const online = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.state === 'idle' || this.state === 'ended') this.open('connecting');
    return online;
  }

  close(): void {
    clearTimeout(this.retryTimer);
    const session = this.session;
    this.session = null;
    session?.close();
    this.setState('idle');
    this.settle(new ClientError('offline', 'The client was closed.'));
  }

  /**
   * While offline between attempts, tries again now instead of waiting out the backoff (the
   * network is back); never sooner than a pause the host asked for. Otherwise it does nothing.
   */
  retryNow(): void {
    if (this.state !== 'offline' || this.session || Date.now() < this.notBefore) return;
    clearTimeout(this.retryTimer);
    this.open('offline');
  }

  /** The session to send requests on, while online. */
  online(): SocketSession | null {
    return this.state === 'online' ? this.session : null;
  }

  /** The online session, or ClientError offline. */
  onlineSession(): SocketSession {
    const session = this.online();
    if (!session) throw ClientError.offline();
    return session;
  }

  /** A request on the online session; offline, or any failure, rejects with a ClientError. */
  request<T>(frame: RequestFrame): Promise<T> {
    try {
      return this.onlineSession().request<T>(frame);
    } catch (error) {
      return Promise.reject(toClientError(error));
    }
  }

  /** The current session even while it catches up (for the client's own catch-up requests). */
  current(): SocketSession | null {
    return this.session;
  }

  private open(state: 'connecting' | 'offline'): void {
    const token = this.hooks.token();
    if (!token) {
      this.end(new ClientError('unauthenticated', 'There is no token: log in first.'));
      return;
    }
    this.setState(state);
    const session = new SocketSession({
      url: this.opts.url,
      token,
      WebSocket: this.opts.WebSocket,
      requestTimeoutMs: this.opts.requestTimeoutMs,
      onFrame: (frame) => {
        if (this.session === session) this.hooks.onFrame(frame);
      },
      onClose: (error) => this.closed(session, error),
    });
    this.session = session;
    session.opened
      .then((ready) => this.hooks.sync(session, ready))
      .then(
        () => {
          if (this.session !== session) return;
          this.opts.backoff.reset();
          this.setState('online');
          this.settle();
        },
        () => {
          // The session ended (closed() decides what next), or catching up failed: a new
          // connection catches up from the positions it has.
          if (this.session === session) session.close();
        },
      );
  }

  private closed(session: SocketSession, error: ClientError): void {
    if (this.session !== session) return;
    this.session = null;
    if (error.closeCode !== undefined && SESSION_ENDED.has(error.code)) {
      this.end(error);
      return;
    }
    this.setState('offline');
    const floor = error.code === 'rate_limited' ? FLOOD_BACKOFF_MS : 0;
    this.notBefore = Date.now() + floor;
    this.retryTimer = setTimeout(() => this.open('offline'), this.opts.backoff.nextDelay(floor));
  }

  private end(error: ClientError): void {
    this.setState('ended', error);
    this.settle(error);
  }

  private setState(state: ClientState, error?: ClientError): void {
    if (this.state === state) return;
    this.state = state;
    this.hooks.onState(state, error);
  }

  private settle(error?: ClientError): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) {
      if (error) w.reject(error);
      else w.resolve();
    }
  }
}
