/**
 * One sender and one receiver in a direct conversation for the failover phase (failover.ts):
 * a client that survives the loss of its host. It keeps the highest pts each member applied, so a
 * reconnect resumes from there, and the sends not yet acked, so they are resent with the same
 * clientMsgId (the host stores a resend once).
 */
import { frameType, stringField, type BenchSocket } from '../support/bench-socket.js';
import { MESSAGE_CREATED } from '../support/phase-util.js';
import { log } from '../support/util.js';

export interface Member {
  readonly token: string;
  /** Index of the host it is (or is being) connected to. */
  host: number;
  lastPts: number;
  sock: BenchSocket | null;
  /** performance.now() when its current connection's `resume` was answered; 0 before. */
  resumedAt: number;
}

const RESUME_ID = 'resume';
const PTS = '"pts":';

export class FailoverPair {
  /** Sends not yet acked, in the order offered: key → text of the send frame. */
  readonly unacked = new Map<string, string>();
  readonly acked = new Set<string>();
  readonly delivered = new Set<string>();
  errors = 0;
  duplicates = 0;
  private n = 0;
  /** Members waiting for the answer to their `resume`. */
  private readonly resuming = new Map<Member, () => void>();

  constructor(
    readonly index: number,
    readonly conversationId: string,
    readonly sender: Member,
    readonly receiver: Member,
  ) {}

  send(): void {
    const key = `f${this.index}-${this.n++}`;
    const text =
      `{"type":"send","id":"${key}","conversationId":"${this.conversationId}","clientMsgId":"${key}",` +
      `"content":{"type":"text","text":"failover message ${key}: the quick brown fox jumps over the lazy dog"}}`;
    this.unacked.set(key, text);
    // While the sender reconnects, the send waits in `unacked` and goes out after its resume.
    if (this.sender.resumedAt && this.sender.sock?.open) this.sender.sock.send(text);
  }

  /** Every send acked and delivered. */
  settled(): boolean {
    if (this.unacked.size) return false;
    for (const key of this.acked) if (!this.delivered.has(key)) return false;
    return true;
  }

  /** Sends `resume` for `m` on its current socket and waits for the answer; a sender then resends. */
  resume(m: Member): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no answer to resume within 10 s')), 10_000);
      this.resuming.set(m, () => {
        clearTimeout(timer);
        this.resuming.delete(m);
        m.resumedAt = performance.now();
        if (m === this.sender) for (const text of this.unacked.values()) m.sock!.send(text);
        resolve();
      });
      m.sock!.send(
        `{"type":"resume","id":"${RESUME_ID}","conversations":[{"conversationId":"${this.conversationId}","pts":${m.lastPts}}]}`,
      );
    });
  }

  frame(m: Member, d: Buffer): void {
    if (d.indexOf(MESSAGE_CREATED) !== -1) {
      const s = d.toString();
      const at = s.indexOf(PTS);
      const pts = Number.parseInt(s.slice(at + PTS.length, at + PTS.length + 20), 10);
      if (pts > m.lastPts) m.lastPts = pts;
      if (m !== this.receiver) return;
      const key = stringField(s, 'clientMsgId')!;
      if (this.delivered.has(key)) this.duplicates++;
      else this.delivered.add(key);
      return;
    }
    const s = d.toString();
    const type = frameType(s);
    if (type === 'result') {
      const replyTo = stringField(s, 'replyTo');
      if (replyTo === RESUME_ID) {
        if (!s.includes('"status":"caught_up"')) {
          this.errors++;
          log(`failover: pair ${this.index} resume answered ${s.slice(0, 300)}`);
        }
        this.resuming.get(m)?.();
        return;
      }
      if (replyTo && this.unacked.delete(replyTo)) this.acked.add(replyTo);
    } else if (type === 'error') {
      if (this.errors++ < 3) log(`failover: pair ${this.index}: ${s.slice(0, 300)}`);
    }
  }
}
