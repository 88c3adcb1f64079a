/**
 * Phase 5 of `npm run bench -- messaging` (bench/messaging.ts): resume.
 *
 * resume_1000_ms — a user notes its conversation's pts (lastPts over HTTP while it is
 * offline); the other member sends 1,000 messages (all acked); the user reconnects: the timer
 * starts before the socket is opened, `resume` is sent right after `ready`, and the timer
 * stops when the resume `result` has arrived and all 1,000 `message.created` frames too.
 * Repeated 3 times; the median is reported.
 */
import type { BenchHost, BenchUser } from '../support/bench-host.js';
import { frameType, openSocket, stringField, type BenchSocket } from '../support/bench-socket.js';
import { MESSAGE_CREATED } from '../support/phase-util.js';
import { log, median, waitUntil } from '../support/util.js';

const RESUME_MESSAGES = 1_000;
const RESUME_RUNS = 3;
const RESUME_SEND_WINDOW = 64;

/** Sends `count` messages on `sock` with a window of in-flight sends; resolves when all are acked. */
async function sendAndAck(sock: BenchSocket, conversationId: string, count: number, prefix: string): Promise<void> {
  let sent = 0;
  let acked = 0;
  let error = '';
  const sendNext = () => {
    while (!error && sent < count && sent - acked < RESUME_SEND_WINDOW) {
      const key = `${prefix}${sent++}`;
      sock.send(
        `{"type":"send","id":"${key}","conversationId":"${conversationId}","clientMsgId":"${key}",` +
          `"content":{"type":"text","text":"catch-up message ${key}: the quick brown fox jumps over the lazy dog"}}`,
      );
    }
  };
  sock.onFrame = (d) => {
    if (d.indexOf(MESSAGE_CREATED) !== -1) return;
    const s = d.toString();
    const type = frameType(s);
    if (type === 'result') {
      acked++;
      sendNext();
    } else if (type === 'error') error ||= s;
  };
  // A socket the host closed (4009, say) answers nothing more: say so at once, not after 30 s.
  sock.onClose = (code, reason) => (error ||= `the socket closed with ${code} ${reason}`);
  sendNext();
  const ok = await waitUntil(() => acked >= count || error !== '', 30_000, 5);
  if (error) throw new Error(`send refused: ${error}`);
  if (!ok) throw new Error(`only ${acked} of ${count} sends acked in 30 s`);
}

export async function resumePhase(host: BenchHost, reader: BenchUser, writer: BenchUser): Promise<number> {
  const direct = await host.http<{ id: string }>('POST', '/v1/conversations/direct', writer.token, {
    userId: reader.id,
  });
  if (direct.status !== 200)
    throw new Error(`POST /v1/conversations/direct → ${direct.status} ${JSON.stringify(direct.body)}`);
  const conversationId = direct.body.id;
  const writerSock = await openSocket(host.wsUrl, writer.token);
  const times: number[] = [];
  try {
    for (let run = 0; run < RESUME_RUNS; run++) {
      // The reader is offline: the pts it noted is the conversation's lastPts now.
      const conv = await host.http<{ lastPts: number }>('GET', `/v1/conversations/${conversationId}`, reader.token);
      if (conv.status !== 200)
        throw new Error(`GET /v1/conversations/:id → ${conv.status} ${JSON.stringify(conv.body)}`);
      const pts = conv.body.lastPts;
      await sendAndAck(writerSock, conversationId, RESUME_MESSAGES, `r${run}-`);

      let created = 0;
      let lastPts = pts;
      let outOfOrder = 0;
      let allAt = 0;
      let result: { status: string; pts?: number } | null = null;
      let resultAt = 0;
      let errorFrame = '';
      const resumeId = `resume-${run}`;
      const t0 = performance.now();
      const sock = await openSocket(host.wsUrl, reader.token, (d) => {
        const s = d.toString();
        const type = frameType(s);
        if (type === 'message.created') {
          const p = JSON.parse(s) as { pts: number };
          if (p.pts <= lastPts) outOfOrder++;
          lastPts = p.pts;
          if (++created === RESUME_MESSAGES) allAt = performance.now();
        } else if (type === 'result' && stringField(s, 'replyTo') === resumeId) {
          resultAt = performance.now();
          const data = (JSON.parse(s) as { data: { conversations: { status: string; pts?: number }[] } }).data;
          result = data.conversations[0] ?? { status: '<missing>' };
        } else if (type === 'error') {
          errorFrame ||= s;
        }
      });
      sock.send(JSON.stringify({ type: 'resume', id: resumeId, conversations: [{ conversationId, pts }] }));
      const ok = await waitUntil(() => (resultAt > 0 && created >= RESUME_MESSAGES) || errorFrame !== '', 20_000, 1);
      const elapsed = Math.max(resultAt, allAt) - t0;
      await sock.close();
      if (errorFrame) throw new Error(`resume refused: ${errorFrame}`);
      if (!ok)
        throw new Error(
          `resume incomplete after 20 s: result ${resultAt > 0 ? 'received' : 'missing'}, ${created} of ${RESUME_MESSAGES} messages`,
        );
      const r = result as { status: string; pts?: number } | null;
      log(
        `resume: run ${run + 1}: ${created} message.created + result (${r?.status}, pts ${pts} → ${r?.pts}) in ${elapsed.toFixed(1)} ms` +
          `${outOfOrder ? `, ${outOfOrder} frames out of pts order!` : ''}${created !== RESUME_MESSAGES ? ' (count mismatch!)' : ''}` +
          `${allAt > resultAt ? ' (result arrived before the last message!)' : ''}`,
      );
      times.push(elapsed);
    }
  } finally {
    await writerSock.close();
  }
  return median(times);
}
