/**
 * A lean WebSocket client for load generation: no per-frame JSON parsing unless the
 * benchmark asks for it, no compression, no UTF-8 validation (the host is trusted here).
 */
import WebSocket from 'ws';

export type FrameHandler = (data: Buffer) => void;

export class BenchSocket {
  /** Called for every frame after `ready`; replace it freely. */
  onFrame: FrameHandler = () => {};
  /** Called once when the socket closes (after it was ready). */
  onClose: (code: number, reason: string) => void = () => {};
  closeCode: number | null = null;
  readonly closed: Promise<void>;

  constructor(readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closeCode = code;
        this.onClose(code, reason.toString());
        resolve();
      });
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(text: string): void {
    this.ws.send(text);
  }

  /** Polite close (1000); terminates the TCP connection if the close handshake takes too long. */
  async close(timeoutMs = 5_000): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), timeoutMs);
    await this.closed;
    clearTimeout(timer);
  }
}

/** Where `data` holds `"type":"ready"` (cheap check; the ready frame is small). */
const READY = Buffer.from('"ready"');

/**
 * Opens an authenticated socket (token in the Authorization header) and resolves once `ready`
 * has arrived. `onFrame`, if given, is installed before any later frame can arrive.
 */
export function openSocket(
  wsUrl: string,
  token: string,
  onFrame?: FrameHandler,
  timeoutMs = 20_000,
): Promise<BenchSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, {
      headers: { Authorization: `Bearer ${token}` },
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: timeoutMs,
    });
    const sock = new BenchSocket(ws);
    if (onFrame) sock.onFrame = onFrame;
    let ready = false;
    const timer = setTimeout(() => fail(new Error(`no ready frame within ${timeoutMs} ms`)), timeoutMs);
    function fail(err: Error) {
      if (ready) return;
      ready = true; // settle once
      clearTimeout(timer);
      ws.terminate();
      reject(err);
    }
    ws.on('unexpected-response', (_req, res) => fail(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
    ws.on('error', (err) => fail(err));
    ws.on('close', (code, reason) => fail(new Error(`closed (${code} ${reason.toString()}) before ready`)));
    ws.on('message', (data: Buffer) => {
      if (ready) {
        sock.onFrame(data);
        return;
      }
      if (data.indexOf(READY) !== -1) {
        ready = true;
        clearTimeout(timer);
        resolve(sock);
      } else {
        fail(new Error(`expected ready, got ${data.toString().slice(0, 200)}`));
      }
    });
  });
}

/** Cheap reading of frames without JSON.parse; falls back to parsing when the layout is unexpected. */
export function frameType(s: string): string {
  if (s.startsWith('{"type":"')) return s.slice(9, s.indexOf('"', 9));
  try {
    return String((JSON.parse(s) as { type?: unknown }).type);
  } catch {
    // Not JSON: the frame has no type to report, and the caller only counts frames by type.
    return '<invalid>';
  }
}

/** The first string value of `"key":"…"` in a frame (ids and our clientMsgIds never hold escapes). */
export function stringField(s: string, key: string): string | undefined {
  const marker = `"${key}":"`;
  const at = s.indexOf(marker);
  if (at === -1) return undefined;
  const start = at + marker.length;
  const end = s.indexOf('"', start);
  return end === -1 ? undefined : s.slice(start, end);
}
