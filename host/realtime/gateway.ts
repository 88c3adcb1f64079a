import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { inject, injectable } from 'tsyringe';
import { WebSocketServer, type WebSocket } from 'ws';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import { PROTOCOL_VERSION } from '../../sdk/protocol/message.js';
import { Tokens } from '../core/container-tokens.js';
import type { HostConfig } from '../config/host-config.js';
import type { Logger } from '../logging/logger.js';
import type { HostMetrics } from '../metrics/host-metrics.js';
import { TokenService, type Principal } from '../auth/token-service.js';
import { UserService } from '../auth/user-service.js';
import { bearerFrom } from '../auth/bearer.js';
import { ChangeStream } from './change-stream.js';
import { Connection } from './connection.js';
import { ConnectionRegistry } from './connection-registry.js';
import { FrameRouter } from './frame-router.js';
import { Presence } from './presence.js';
import { frameSchemas } from './frame-schemas.js';
import { compileValidator, type Validator } from '../validation/validator.js';
import { assertInputStrings } from '../validation/input-strings.js';
import { fitCloseReason } from './close-reason.js';
import { REQUEST_ID_HEADER, requestIdFrom } from '../logging/request-id.js';
import { refuseUpgrade } from './refuse-upgrade.js';

export const WS_PATH = '/v1/ws';
const MAX_FRAMES_BEFORE_READY = 32;

/** Accepts WebSocket upgrades, authenticates them, and runs heartbeats and session expiry. */
@injectable()
export class Gateway {
  private readonly wss: WebSocketServer;
  private heartbeat: NodeJS.Timeout | null = null;
  private expirySweep: NodeJS.Timeout | null = null;
  private accepting = true;
  private readonly validateAuth: Validator<{ type: 'auth'; token: string }>;
  /** Upgrades being answered, for the 101's X-Request-Id (entries go with their requests). */
  private readonly upgradeIds = new WeakMap<IncomingMessage, string>();
  /** The socket under each WebSocket, which its Connection corks for a turn (connection.ts). */
  private readonly sockets = new WeakMap<WebSocket, Duplex>();

  constructor(
    @inject(Tokens.Config) private readonly config: HostConfig,
    @inject(Tokens.Logger) private readonly log: Logger,
    @inject(TokenService) private readonly tokens: TokenService,
    @inject(UserService) private readonly users: UserService,
    @inject(ConnectionRegistry) private readonly registry: ConnectionRegistry,
    @inject(FrameRouter) private readonly router: FrameRouter,
    @inject(ChangeStream) private readonly stream: ChangeStream,
    @inject(Presence) private readonly presence: Presence,
    @inject(Tokens.Metrics) private readonly metrics: HostMetrics,
  ) {
    this.validateAuth = compileValidator<{ type: 'auth'; token: string }>(frameSchemas(config).auth);
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: config.websocket.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      const requestId = requestIdFrom(req.headers['x-request-id']);
      void this.onUpgrade(req, socket, head, requestId).catch((err) => {
        this.log.error({ err, requestId }, 'upgrade failed');
        socket.destroy();
      });
    });
    // The 101 answer carries the request id like every HTTP answer.
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const requestId = this.upgradeIds.get(req);
      if (requestId !== undefined) headers.push(`${REQUEST_ID_HEADER}: ${requestId}`);
    });
    this.heartbeat = setInterval(() => this.beat(), this.config.websocket.heartbeatIntervalMs);
    // A sweep, not a timer per connection: token lifetimes exceed setTimeout's 24.8-day range.
    this.expirySweep = setInterval(() => this.endExpiredSessions(), 1_000);
    this.heartbeat.unref();
    this.expirySweep.unref();
  }

  /**
   * Stops accepting, and closes every connection with 1001 so clients reconnect elsewhere: first
   * each answers the frames it has taken (an acknowledged send is one the client need not send
   * again), for at most `graceMs`, refusing new ones with `shutting_down`.
   */
  async close(graceMs = 0): Promise<void> {
    this.accepting = false;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.expirySweep) clearInterval(this.expirySweep);
    const connections = [...this.registry.connections()];
    for (const conn of connections) conn.draining = true;
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(connections.map((conn) => conn.whenAnswered())), graceOver]);
    clearTimeout(timer);
    for (const conn of [...this.registry.connections()]) conn.closeWith('shutting_down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }

  private async onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, requestId: string): Promise<void> {
    const refuse = (err: SwitchboardError) => {
      this.log.info({ requestId, status: err.status, code: err.code }, 'websocket refused');
      refuseUpgrade(socket, err, requestId);
    };
    const path = (req.url ?? '').split('?')[0];
    if (path !== WS_PATH) return refuse(new SwitchboardError('route_not_found'));
    if (!this.accepting) return refuse(new SwitchboardError('shutting_down'));
    socket.on('error', () => {
      /* reset by peer during upgrade; nothing to do */
    });
    let principal: Principal | null = null;
    if (req.headers.authorization !== undefined) {
      try {
        principal = await this.tokens.authenticate(bearerFrom(req.headers.authorization));
      } catch (err) {
        return refuse(err instanceof SwitchboardError ? err : new SwitchboardError('internal_error'));
      }
    }
    this.upgradeIds.set(req, requestId);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      this.sockets.set(ws, socket);
      ws.on('error', (err) => this.log.debug({ err, requestId }, 'websocket error'));
      if (!principal) return this.awaitAuthFrame(ws, requestId);
      // Frames that arrive while the user loads are kept, not dropped.
      const early: { data: Buffer; isBinary: boolean }[] = [];
      const keep = (data: Buffer, isBinary: boolean) => {
        if (early.length >= MAX_FRAMES_BEFORE_READY) return closeRaw(ws, 'rate_limited');
        early.push({ data, isBinary });
      };
      ws.on('message', keep);
      void this.open(ws, principal, early, () => ws.off('message', keep), requestId).catch((err) => {
        this.log.error({ err, requestId }, 'could not open connection');
        closeRaw(ws, 'internal_error');
      });
    });
  }

  /** Without a header, the first frame must be `auth`; until then the socket gets nothing. */
  private awaitAuthFrame(ws: WebSocket, requestId: string): void {
    const timer = setTimeout(() => closeRaw(ws, 'auth_timeout'), this.config.websocket.authTimeoutMs);
    const early: { data: Buffer; isBinary: boolean }[] = [];
    let authenticating = false;
    let opened = false;
    const onMessage = async (data: Buffer, isBinary: boolean) => {
      if (authenticating) {
        if (early.length >= MAX_FRAMES_BEFORE_READY) return closeRaw(ws, 'rate_limited');
        early.push({ data, isBinary });
        return;
      }
      authenticating = true;
      clearTimeout(timer);
      this.metrics.framesIn.count('auth');
      let token: string | undefined;
      let refusal = 'the first frame must be auth';
      try {
        const frame = JSON.parse(data.toString('utf8')) as { type?: unknown; token?: unknown };
        if (!isBinary && frame?.type === 'auth') {
          // The same rules as every other frame: its schema (no unknown fields) and clean strings.
          assertInputStrings(frame);
          token = this.validateAuth(frame).token;
        }
      } catch (err) {
        // Not JSON, or an auth frame that breaks its schema: refused below, naming the first problem.
        const detail = err instanceof SwitchboardError ? err.details?.[0] : undefined;
        if (detail) refusal = `invalid auth frame: ${detail.path} ${detail.message}`;
      }
      if (token === undefined) return closeRaw(ws, 'unauthenticated', refusal);
      try {
        const principal = await this.tokens.authenticate(token);
        await this.open(
          ws,
          principal,
          early,
          () => {
            opened = true;
            ws.off('message', onMessage);
          },
          requestId,
        );
      } catch (err) {
        if (!(err instanceof SwitchboardError)) this.log.error({ err, requestId }, 'could not open connection');
        const refused = err instanceof SwitchboardError ? err.code : null;
        closeRaw(ws, refused === 'unauthenticated' || refused === 'account_deactivated' ? refused : 'internal_error');
      }
    };
    ws.on('message', onMessage);
    ws.once('close', (code: number) => {
      clearTimeout(timer);
      // A socket that became a session logs its own close, under its session id.
      if (!opened) this.log.info({ requestId, code }, 'websocket closed before ready');
    });
  }

  private async open(
    ws: WebSocket,
    principal: Principal,
    early: { data: Buffer; isBinary: boolean }[],
    detachPreAuth: () => void,
    requestId: string,
  ): Promise<void> {
    const user = await this.users.byId(principal.userId);
    if (ws.readyState !== ws.OPEN) return;
    detachPreAuth();
    const ws_ = this.config.websocket;
    const conn = new Connection(
      ws,
      this.sockets.get(ws)!,
      randomUUID(),
      principal.userId,
      principal.tokenId,
      principal.expiresAt,
      ws_.maxBufferedBytes,
      ws_,
      this.metrics.framesOut,
    );
    if (this.registry.add(conn)) this.presence.userOnline(conn.userId);
    // The request id ties the upgrade to its session; the close line names the session only, so an
    // idle connection keeps no more than it did.
    this.log.info({ requestId, sessionId: conn.sessionId, userId: conn.userId }, 'websocket connected');
    ws.on('pong', () => {
      conn.alive = true;
    });
    ws.once('close', (code: number) => {
      this.log.info({ sessionId: conn.sessionId, userId: conn.userId, code }, 'websocket closed');
      if (conn.holdTimer) clearTimeout(conn.holdTimer);
      this.presence.dropConnection(conn);
      if (this.registry.remove(conn)) this.presence.userOffline(conn.userId);
    });
    await this.stream.setStarts(conn);
    if (!conn.isOpen) return;
    conn.holdTimer = setTimeout(() => this.stream.releaseHold(conn), ws_.resumeHoldMs);
    conn.send({
      type: 'ready',
      protocol: PROTOCOL_VERSION,
      sessionId: conn.sessionId,
      user,
      heartbeatIntervalMs: ws_.heartbeatIntervalMs,
      limits: {
        maxPayloadBytes: ws_.maxPayloadBytes,
        framesPerSecond: ws_.framesPerSecond,
        burst: ws_.burst,
        resumeLimit: ws_.resumeLimit,
        maxTextLength: this.config.messages.maxTextLength,
      },
      features: { linkPreviews: this.config.linkPreviews.enabled },
    });
    // Frames sent before `ready` are handled first, in order, then the live listener takes over.
    for (const { data, isBinary } of early.splice(0)) conn.track(this.router.handle(conn, data, isBinary));
    ws.on('message', (data: Buffer, isBinary) => {
      conn.alive = true;
      conn.track(this.router.handle(conn, data, isBinary));
    });
  }

  /** A connection that did not answer the previous ping is gone. */
  private beat(): void {
    for (const conn of this.registry.connections()) {
      if (!conn.alive) {
        conn.closeWith('heartbeat_timeout');
        continue;
      }
      conn.alive = false;
      try {
        conn.ws.ping();
      } catch {
        /* closing already */
      }
    }
  }

  private endExpiredSessions(): void {
    const now = Date.now();
    for (const conn of this.registry.connections()) {
      if (conn.tokenExpiresAt <= now) conn.closeWith('session_ended');
    }
  }
}

function closeRaw(
  ws: WebSocket,
  code: 'unauthenticated' | 'account_deactivated' | 'auth_timeout' | 'internal_error' | 'rate_limited',
  reason?: string,
): void {
  const err = new SwitchboardError(code);
  try {
    ws.close(err.closeCode ?? 1011, fitCloseReason(reason ?? code));
  } catch {
    // ws refuses a close frame it cannot send (say, a reason over 123 bytes): the peer is cut off instead.
    ws.terminate();
  }
  setTimeout(() => ws.terminate(), 2_000).unref();
}
