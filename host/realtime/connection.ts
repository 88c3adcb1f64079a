import type { Duplex } from 'node:stream';
import WebSocket from 'ws';
import { SwitchboardError } from '../../sdk/errors/switchboard-error.js';
import type { ErrorCode } from '../../sdk/errors/error-catalog.js';
import { errorCatalog, type ErrorSpec } from '../../sdk/errors/error-catalog.js';
import type { ServerFrame } from '../../sdk/protocol/frames.js';
import { FrameTurns } from './frame-turns.js';
import type { FrameCounts } from '../metrics/frame-counts.js';

/**
 * A catch-up from the database in progress: `live` holds the committed changes that arrived
 * during its read, to go out after it in pts order; `dirty` asks for another read.
 */
export interface CatchUp {
  dirty: boolean;
  live: { pts: number; frame: Buffer; type: 'message.created' | 'message.updated' }[];
}

/**
 * One authenticated socket. Kept small: 10,000 idle connections must cost little, so maps are
 * created on first use and there are no per-connection timers once the hold has ended.
 */
export class Connection {
  /** Highest pts delivered per conversation: frames go out strictly in pts order. */
  readonly positions = new Map<string, number>();
  /**
   * Where the client starts in conversations it did not resume (the pts when it connected, or the
   * one a resume told it): a change at or before it is not sent, a later one in order. Without it,
   * the first change to arrive would set the start, and an earlier one committed on another host
   * and arriving later through the bus would be lost. Moved to `positions` at the first change.
   */
  startsAt: Map<string, number> | null = null;
  /** Conversations being caught up from the database (see CatchUpReader). */
  readonly catchingUp = new Map<string, CatchUp>();
  /** Until the client resumes (or the hold times out): conversation → pts before the first held event. */
  holding: Map<string, number> | null = new Map();
  holdTimer: NodeJS.Timeout | null = null;
  presenceSubscriptions: Set<string> | null = null;
  alive = true;
  /**
   * The host is stopping: frames from now on are refused with `shutting_down`, and those already
   * taken are answered before the socket closes (see `whenAnswered`).
   */
  draining = false;
  private closing = false;
  private handling = 0;
  private answered: (() => void)[] = [];
  private corked = false;
  private gone: Promise<void> | null = null;
  readonly bucket: FrameTurns;

  constructor(
    readonly ws: WebSocket,
    /** The socket under `ws`. */
    private readonly socket: Duplex,
    readonly sessionId: string,
    readonly userId: string,
    readonly tokenId: string,
    readonly tokenExpiresAt: number,
    private readonly maxBufferedBytes: number,
    limits: { framesPerSecond: number; burst: number },
    private readonly framesOut: FrameCounts,
  ) {
    this.bucket = new FrameTurns(limits.framesPerSecond, limits.burst);
  }

  /** Counts a frame being handled until `work` ends (it never rejects: FrameRouter answers every error). */
  track(work: Promise<void>): void {
    this.handling++;
    void work.finally(() => {
      if (--this.handling > 0) return;
      for (const resolve of this.answered.splice(0)) resolve();
    });
  }

  /** Resolves once every frame taken so far has been answered. */
  whenAnswered(): Promise<void> {
    if (this.handling === 0) return Promise.resolve();
    return new Promise((resolve) => this.answered.push(resolve));
  }

  get isOpen(): boolean {
    return !this.closing && this.ws.readyState === WebSocket.OPEN;
  }

  /**
   * Sends a pre-serialized frame; the same buffer is shared by every recipient of a fan-out.
   * Frames sent in one turn of the event loop leave in one write: the socket is corked at the
   * first and uncorked once the turn's work (its promise continuations included) is done. A
   * committed batch carries many frames for each socket (acks, its own messages echoed, the
   * others'), and one system call per frame was a third of the host's CPU.
   */
  sendRaw(data: Buffer | string, type: ServerFrame['type'], written?: () => void): void {
    if (!this.isOpen) return written?.();
    this.framesOut.count(type);
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => this.uncorked());
    }
    this.ws.send(data, { binary: false }, written);
  }

  /** After the turn's write: what the peer has not taken yet (corked bytes would count as unsent). */
  private uncorked(): void {
    this.corked = false;
    this.socket.uncork();
    if (this.isOpen && this.ws.bufferedAmount > this.maxBufferedBytes) this.closeWith('slow_consumer');
  }

  /**
   * Sends like sendRaw, and resolves once the frame is handed to the kernel, or the socket is
   * gone: what a sender with much to send waits on (Node's own 'drain' comes only past the
   * socket's 64 KiB high-water mark, which can be more than websocket.maxBufferedBytes).
   */
  sendWritten(data: Buffer | string, type: ServerFrame['type']): Promise<void> {
    if (!this.isOpen) return Promise.resolve();
    const written = new Promise<void>((resolve) => this.sendRaw(data, type, () => resolve()));
    return Promise.race([written, (this.gone ??= new Promise((resolve) => this.ws.once('close', () => resolve())))]);
  }

  send(frame: ServerFrame): void {
    this.sendRaw(JSON.stringify(frame), frame.type);
  }

  sendError(replyTo: string | null, err: SwitchboardError): void {
    this.send({ type: 'error', replyTo, error: err.toBody() });
  }

  /**
   * Closes with the catalog close code of `code` and the code itself as the reason, as protocol.md
   * promises; a peer that cannot take the close frame is cut off.
   */
  closeWith(code: ErrorCode): void {
    if (this.closing) return;
    this.closing = true;
    if (this.holdTimer) clearTimeout(this.holdTimer);
    const spec: ErrorSpec = errorCatalog[code];
    try {
      this.ws.close(spec.closeCode ?? 1011, code);
    } catch {
      // ws refuses a close frame it cannot send: the peer is cut off instead.
      this.ws.terminate();
      return;
    }
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }
}
