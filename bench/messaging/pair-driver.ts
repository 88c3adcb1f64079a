/**
 * Direct-conversation pairs shared by phases 2 (throughput.ts) and 3 (latency.ts) of
 * `npm run bench -- messaging`: PAIRS user pairs, one direct conversation each, one sender and one
 * receiver connection per pair.
 */
import type { BenchHost, BenchUser } from '../support/bench-host.js';
import { frameType, openSocket, stringField, type BenchSocket } from '../support/bench-socket.js';
import { DRAIN_TIMEOUT_MS, MESSAGE_CREATED } from '../support/phase-util.js';
import { log, mapLimit, waitUntil } from '../support/util.js';

export const PAIRS = 100;

export interface Pending {
  sent: number;
  ack: number;
  deliv: number;
}

/**
 * One sender and one receiver in a direct conversation. Sends carry the same string as frame
 * `id` and `clientMsgId`, so the ack (replyTo) and the delivery (message.clientMsgId) are found
 * with a cheap substring search.
 */
export class PairDriver {
  readonly pending = new Map<string, Pending>();
  prefix = 'x';
  private n = 0;
  errors = 0;
  unexpected = 0;
  onDone: (p: Pending) => void = () => {};
  onFailed: () => void = () => {};

  constructor(
    readonly index: number,
    readonly sender: BenchSocket,
    readonly receiver: BenchSocket,
    readonly conversationId: string,
  ) {
    sender.onFrame = (d) => this.senderFrame(d);
    receiver.onFrame = (d) => this.receiverFrame(d);
  }

  sendOne(): void {
    const key = `${this.prefix}${this.index}-${this.n++}`;
    this.pending.set(key, { sent: performance.now(), ack: 0, deliv: 0 });
    this.sender.send(
      `{"type":"send","id":"${key}","conversationId":"${this.conversationId}","clientMsgId":"${key}",` +
        `"content":{"type":"text","text":"benchmark message ${key}: the quick brown fox jumps over the lazy dog"}}`,
    );
  }

  private senderFrame(d: Buffer): void {
    if (d.indexOf(MESSAGE_CREATED) !== -1) return; // the echo of our own message
    const s = d.toString();
    const type = frameType(s);
    if (type === 'result') {
      const key = stringField(s, 'replyTo') ?? (JSON.parse(s) as { replyTo: string }).replyTo;
      const p = this.pending.get(key);
      if (!p || p.ack) {
        this.unexpected++;
        return;
      }
      p.ack = performance.now();
      if (p.deliv) this.complete(key, p);
    } else if (type === 'error') {
      const f = JSON.parse(s) as { replyTo: string | null; error: { code: string; message: string } };
      if (this.errors++ < 3) log(`pair ${this.index}: error ${f.error.code}: ${f.error.message}`);
      if (f.replyTo && this.pending.delete(f.replyTo)) this.onFailed();
    }
  }

  private receiverFrame(d: Buffer): void {
    if (d.indexOf(MESSAGE_CREATED) === -1) return;
    const s = d.toString();
    const key =
      stringField(s, 'clientMsgId') ?? (JSON.parse(s) as { message: { clientMsgId: string } }).message.clientMsgId;
    const p = this.pending.get(key);
    if (!p || p.deliv) {
      this.unexpected++;
      return;
    }
    p.deliv = performance.now();
    if (p.ack) this.complete(key, p);
  }

  private complete(key: string, p: Pending): void {
    this.pending.delete(key);
    this.onDone(p);
  }
}

/**
 * `place`, if given, says where each pair's sender and receiver connect (several hosts: see
 * bench/cluster.ts); by default both connect to `host`, which also creates the conversations.
 */
export async function setupPairs(
  host: BenchHost,
  users: BenchUser[],
  place: (pair: number) => { sender: string; receiver: string } = () => ({ sender: host.wsUrl, receiver: host.wsUrl }),
): Promise<{ drivers: PairDriver[]; socks: BenchSocket[] }> {
  log(`pairs: creating ${PAIRS} direct conversations and ${PAIRS * 2} connections`);
  const pairs = Array.from({ length: PAIRS }, (_, i) => ({ a: users[2 * i]!, b: users[2 * i + 1]! }));
  const convIds = await mapLimit(pairs, 16, async ({ a, b }) => {
    const res = await host.http<{ id: string }>('POST', '/v1/conversations/direct', a.token, { userId: b.id });
    if (res.status !== 200)
      throw new Error(`POST /v1/conversations/direct → ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  });
  const socks: BenchSocket[] = [];
  const drivers = await mapLimit(pairs, 20, async ({ a, b }, i) => {
    const at = place(i);
    const sender = await openSocket(at.sender, a.token);
    socks.push(sender);
    const receiver = await openSocket(at.receiver, b.token);
    socks.push(receiver);
    return new PairDriver(i, sender, receiver, convIds[i]!);
  });
  for (const s of socks) {
    s.onClose = (code, reason) => {
      if (code !== 1000 && code !== 1005) log(`pairs: a socket closed unexpectedly (${code} ${reason})`);
    };
  }
  return { drivers, socks };
}

export async function drain(drivers: PairDriver[], what: string): Promise<void> {
  const ok = await waitUntil(() => drivers.every((d) => d.pending.size === 0), DRAIN_TIMEOUT_MS, 10);
  if (!ok) {
    const left = drivers.reduce((n, d) => n + d.pending.size, 0);
    log(`${what}: ${left} messages still not acked+delivered after ${DRAIN_TIMEOUT_MS} ms`);
  }
}
